import { describe, expect, it } from 'vitest';
import { FRAME_TICKS, RtpRewriter, type SpliceTarget } from '../../server/relay/worker/rtp-rewriter.ts';
import type { Leg } from '../../server/relay/worker/legs.ts';

/**
 * A sender doing what werift's RTCRtpSender does with the offsets: `replaceRTP(previous)` makes the
 * packet after `previous` go out right after the last one sent; every packet is shifted by them.
 */
class WireSender implements SpliceTarget {
  readonly wire: { sequenceNumber: number; timestamp: number }[] = [];
  #seqOffset = 0;
  #tsOffset = 0;

  replaceRTP(previous: { sequenceNumber: number; timestamp: number }): void {
    const last = this.wire.at(-1);
    if (!last) return;
    this.#seqOffset = (last.sequenceNumber - previous.sequenceNumber) & 0xffff;
    this.#tsOffset = (last.timestamp - previous.timestamp) >>> 0;
  }

  send(sequenceNumber: number, timestamp: number): void {
    this.wire.push({
      sequenceNumber: (sequenceNumber + this.#seqOffset) & 0xffff,
      timestamp: (timestamp + this.#tsOffset) >>> 0,
    });
  }
}

/** One viewer, fed packets as the relay's forward loop feeds it. */
function viewer() {
  const sender = new WireSender();
  const rtp = new RtpRewriter(sender);
  const packet = (leg: Leg, keyframe: boolean, sequenceNumber: number, timestamp: number, nowMs = 0) => {
    if (!rtp.accepts(leg, keyframe, sequenceNumber, timestamp, nowMs)) return false;
    rtp.sent(nowMs);
    sender.send(sequenceNumber, timestamp);
    return true;
  };
  return { rtp, packet, wire: sender.wire };
}

const THUMB: Leg = 'thumbnail/VP8';
const FULL: Leg = 'full/VP8';

describe('rewriting one viewer’s RTP', () => {
  it('starts a new viewer at a keyframe, with the student’s own numbers', () => {
    const { rtp, packet, wire } = viewer();
    expect(rtp.started).toBe(false);
    expect(packet(THUMB, false, 10, 1000)).toBe(false);
    expect(packet(THUMB, true, 11, 4000)).toBe(true);
    expect(packet(THUMB, false, 12, 4000)).toBe(true);
    expect(wire).toEqual([
      { sequenceNumber: 11, timestamp: 4000 },
      { sequenceNumber: 12, timestamp: 4000 },
    ]);
    expect(rtp.started).toBe(true);
  });

  it('switches leg at the new leg’s keyframe, sequence numbers continuing and timestamps one frame on', () => {
    const { rtp, packet, wire } = viewer();
    packet(THUMB, true, 100, 50_000);
    packet(THUMB, false, 101, 53_000);
    expect(rtp.moveTo(FULL)).toBe('at-keyframe');
    expect(rtp.keyframeLeg).toBe(FULL);
    // Until the full leg's keyframe, the viewer stays on the thumbnail.
    expect(packet(FULL, false, 7000, 900_000)).toBe(false);
    expect(packet(THUMB, false, 102, 56_000)).toBe(true);
    expect(packet(FULL, true, 7001, 903_000)).toBe(true);
    expect(packet(FULL, false, 7002, 906_000)).toBe(true);
    expect(packet(THUMB, false, 103, 59_000)).toBe(false);
    expect(rtp.source).toBe(FULL);
    expect(rtp.pending).toBeNull();
    expect(wire.slice(2)).toEqual([
      { sequenceNumber: 102, timestamp: 56_000 },
      { sequenceNumber: 103, timestamp: 56_000 + FRAME_TICKS },
      { sequenceNumber: 104, timestamp: 56_000 + 2 * FRAME_TICKS },
    ]);
  });

  it('resumes a paused viewer at a keyframe, with a timestamp gap as long as the pause', () => {
    const { rtp, packet, wire } = viewer();
    packet(THUMB, true, 1, 0, 1000);
    rtp.awaitKeyframe();
    expect(rtp.gotKeyframe).toBe(false);
    expect(packet(THUMB, false, 2, 3000, 1500)).toBe(false);
    // Resumed 2.5 s after the last packet sent: 2.5 s of a 90 kHz clock later.
    expect(packet(THUMB, true, 90, 400_000, 3500)).toBe(true);
    expect(rtp.gotKeyframe).toBe(true);
    expect(wire.at(-1)).toEqual({ sequenceNumber: 2, timestamp: 2500 * 90 });
  });

  it('leaves at least one frame between the last packet and a resumed keyframe', () => {
    const { rtp, packet, wire } = viewer();
    packet(THUMB, true, 1, 0, 1000);
    rtp.awaitKeyframe();
    packet(THUMB, true, 5, 9000, 1001);
    expect(wire.at(-1)).toEqual({ sequenceNumber: 2, timestamp: FRAME_TICKS });
  });

  it('wraps sequence numbers at 16 bits and timestamps at 32', () => {
    const { rtp, packet, wire } = viewer();
    packet(THUMB, true, 0xffff, 0xffff_ffff - 1000);
    rtp.moveTo(FULL);
    packet(FULL, true, 5, 10);
    expect(wire.at(-1)).toEqual({ sequenceNumber: 0, timestamp: 0xffff_ffff - 1000 + FRAME_TICKS - 2 ** 32 });
  });

  it('points a viewer that was sent nothing yet at its leg at once', () => {
    const { rtp, packet } = viewer();
    expect(rtp.moveTo(THUMB)).toBe('stay');
    expect(rtp.moveTo(FULL)).toBe('now');
    expect(rtp.source).toBe(FULL);
    expect(rtp.pending).toBeNull();
    packet(FULL, true, 1, 0);
    expect(rtp.moveTo(FULL)).toBe('stay');
    expect(rtp.moveTo(THUMB)).toBe('at-keyframe');
    // Asked back before the switch happened: no switch pending any more.
    expect(rtp.moveTo(FULL)).toBe('stay');
    expect(rtp.pending).toBeNull();
  });
});
