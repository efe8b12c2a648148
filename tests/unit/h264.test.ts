import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { h264NalTypesStarted, isH264KeyframeStart } from '../../server/relay/worker/h264.ts';

/** Real packets from Chromium's H.264 encoder (scripts/capture-rtp.ts), with its own keyframe list. */
interface Take {
  keyframeTimestamps: number[];
  packets: { sequenceNumber: number; timestamp: number; marker: boolean; payload: string }[];
}
const takes = JSON.parse(readFileSync('tests/fixtures/h264-rtp.json', 'utf8')) as Record<'small' | 'large', Take>;
const payloads = (take: Take) => take.packets.map((p) => ({ ...p, bytes: Buffer.from(p.payload, 'base64') }));

describe('H.264 keyframes in packets from a real encoder', () => {
  for (const name of ['small', 'large'] as const) {
    it(`finds exactly the encoder's keyframes (${name} frames)`, () => {
      const take = takes[name];
      const packets = payloads(take);
      const keyframes = new Set(take.keyframeTimestamps);
      const flagged = packets.filter((p) => isH264KeyframeStart(p.bytes));
      // Nothing that belongs to a delta frame counts as a keyframe...
      expect(flagged.every((p) => keyframes.has(p.timestamp))).toBe(true);
      // ...and the first packet of every keyframe in the recording does.
      const recorded = [...keyframes].filter((ts) => packets.some((p) => p.timestamp === ts));
      expect(recorded.length).toBeGreaterThanOrEqual(2);
      for (const ts of recorded) {
        const first = packets.find((p) => p.timestamp === ts)!;
        expect(isH264KeyframeStart(first.bytes)).toBe(true);
      }
    });
  }

  it('covers a keyframe in one STAP-A and one fragmented after its parameter sets', () => {
    const types = (name: 'small' | 'large') => payloads(takes[name]).map((p) => h264NalTypesStarted(p.bytes));
    // Small pictures: SPS, PPS and the IDR picture aggregated in one packet.
    expect(types('small')).toContainEqual([7, 8, 5]);
    // Larger ones: SPS and PPS aggregated, then the IDR picture in FU-A fragments.
    expect(types('large')).toContainEqual([7, 8]);
    const fuAStarts = payloads(takes.large).filter((p) => (p.bytes[0]! & 0x1f) === 28 && p.bytes[1]! & 0x80);
    expect(fuAStarts.map((p) => p.bytes[1]! & 0x1f)).toContain(5);
  });
});

describe('H.264 packet forms', () => {
  it('reads a single NAL unit packet', () => {
    expect(isH264KeyframeStart(Uint8Array.of(0x65, 0x88, 0x84))).toBe(true); // IDR slice
    expect(isH264KeyframeStart(Uint8Array.of(0x67, 0x42, 0xe0))).toBe(true); // SPS
    expect(isH264KeyframeStart(Uint8Array.of(0x41, 0x9a, 0x02))).toBe(false); // non-IDR slice
    expect(isH264KeyframeStart(Uint8Array.of(0x68, 0xce))).toBe(false); // PPS alone
  });

  it('reads FU-A fragments: only the first of an IDR picture starts a keyframe', () => {
    expect(isH264KeyframeStart(Uint8Array.of(0x7c, 0x85, 0xb8))).toBe(true); // S bit, IDR
    expect(isH264KeyframeStart(Uint8Array.of(0x7c, 0x05, 0x11))).toBe(false); // middle of an IDR
    expect(isH264KeyframeStart(Uint8Array.of(0x7c, 0x45, 0x11))).toBe(false); // end of an IDR
    expect(isH264KeyframeStart(Uint8Array.of(0x5c, 0x81, 0x9a))).toBe(false); // start of a delta slice
  });

  it('reads every unit of a STAP-A, and stops at a length that runs past the packet', () => {
    const stap = Uint8Array.of(0x78, 0x00, 0x02, 0x09, 0xf0, 0x00, 0x02, 0x65, 0x88);
    expect(h264NalTypesStarted(stap)).toEqual([9, 5]);
    expect(isH264KeyframeStart(stap)).toBe(true);
    const broken = Uint8Array.of(0x78, 0x00, 0x02, 0x09, 0xf0, 0x00, 0x40, 0x65);
    expect(h264NalTypesStarted(broken)).toEqual([9]);
    expect(isH264KeyframeStart(broken)).toBe(false);
  });

  it('answers false for an empty or truncated payload', () => {
    expect(isH264KeyframeStart(new Uint8Array())).toBe(false);
    expect(isH264KeyframeStart(Uint8Array.of(0x7c))).toBe(false);
    expect(isH264KeyframeStart(Uint8Array.of(0x78, 0x00))).toBe(false);
  });
});
