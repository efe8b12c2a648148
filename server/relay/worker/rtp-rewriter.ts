/**
 * One viewer's place in a student's stream: which leg it receives, the leg it moves to at that leg's
 * next keyframe, and where its sequence numbers and timestamps continue after a switch of leg or a
 * pause. The sender applies the offsets (werift's `replaceRTP`); this decides when and by how much.
 * No sockets, no timers, no allocation per packet: it runs once per packet per viewer.
 */
import { BASE_LEG, type Leg } from './legs.ts';

/** One frame at 30 fps in RTP's 90 kHz video clock: the gap left in timestamps at a switch of leg. */
export const FRAME_TICKS = 3000;
/** RTP video ticks per millisecond (a 90 kHz clock). */
const TICKS_PER_MS = 90;

/**
 * What the rewriter needs of a sender: werift's `RTCRtpSender.replaceRTP`, which makes the next
 * packet sent after one with `sequenceNumber` and `timestamp` continue from the last packet it sent.
 */
export interface SpliceTarget {
  replaceRTP(previous: { sequenceNumber: number; timestamp: number }): void;
}

/** The header rewriting of one viewer's stream (one per subscriber). */
export class RtpRewriter {
  /** The leg this viewer receives. */
  source: Leg = BASE_LEG;
  /** The leg it switches to at that leg's next keyframe, if any. */
  pending: Leg | null = null;
  #gotKeyframe = false;
  #started = false;
  #lastSentAtMs = 0;

  constructor(private readonly sender: SpliceTarget) {}

  /** Whether anything was sent to this viewer yet. */
  get started(): boolean {
    return this.#started;
  }

  /** Whether a keyframe has reached the viewer since it started or last resumed. */
  get gotKeyframe(): boolean {
    return this.#gotKeyframe;
  }

  /** The leg the viewer needs a keyframe of next: the one it moves to, else its own. */
  get keyframeLeg(): Leg {
    return this.pending ?? this.source;
  }

  /** From now on forward nothing until a keyframe: a new or resumed viewer starts at one. */
  awaitKeyframe(): void {
    this.#gotKeyframe = false;
  }

  /** Points the viewer at `target`: at once while nothing was sent yet, else at `target`'s next keyframe. */
  moveTo(target: Leg): 'now' | 'at-keyframe' | 'stay' {
    if (!this.#started && this.source !== target) {
      this.source = target;
      this.pending = null;
      return 'now';
    }
    this.pending = target === this.source ? null : target;
    return this.pending ? 'at-keyframe' : 'stay';
  }

  /**
   * Whether a packet of `leg` goes to this viewer. At a keyframe of the pending leg the viewer
   * switches, its timestamps one frame on; a new or resumed viewer starts at a keyframe, its
   * timestamps as far on as it was paused, so its decoder neither waits nor rushes. Sequence
   * numbers always continue from the last one sent.
   */
  accepts(leg: Leg, keyframe: boolean, sequenceNumber: number, timestamp: number, nowMs: number): boolean {
    if (this.pending === leg && keyframe) {
      if (this.#started) this.#continueBefore(sequenceNumber, timestamp, FRAME_TICKS);
      this.source = leg;
      this.pending = null;
    }
    if (this.source !== leg) return false;
    if (!this.#gotKeyframe) {
      if (!keyframe) return false;
      this.#gotKeyframe = true;
      if (this.#started)
        this.#continueBefore(
          sequenceNumber,
          timestamp,
          Math.max(FRAME_TICKS, Math.round((nowMs - this.#lastSentAtMs) * TICKS_PER_MS)),
        );
    }
    return true;
  }

  /** A packet went out at `nowMs`. */
  sent(nowMs: number): void {
    this.#started = true;
    this.#lastSentAtMs = nowMs;
  }

  /** The packet with these fields goes out right after the last one sent, `gapTicks` later. */
  #continueBefore(sequenceNumber: number, timestamp: number, gapTicks: number): void {
    this.sender.replaceRTP({
      sequenceNumber: (sequenceNumber - 1) & 0xffff,
      timestamp: (timestamp - gapTicks) >>> 0,
    });
  }
}
