/**
 * The picture so far on one leg: the packets from its last keyframe on, so that a viewer whose call
 * comes up just after that keyframe (a share's first frame, which usually reaches the relay before
 * the relay's call onwards is up) is sent it at once, instead of asking the student for another and
 * waiting for their encoder's next frame (a thumbnail's encoder runs at 5 frames a second). Kept only
 * while replaying it costs no more than about two fresh keyframes: once the frames since the keyframe
 * outweigh the keyframe itself, a new keyframe is the cheaper start, and the cache holds nothing
 * until the next one. Pure: no werift, no clock.
 */

/** Never more than this held per leg, whatever the keyframe's size. */
export const PICTURE_CACHE_MAX_BYTES = 256 * 1024;

/** A packet as the cache reads it: its payload's size and its frame's timestamp. */
export interface CachedPacket {
  readonly payload: { readonly length: number };
  readonly header: { readonly timestamp: number };
}

/** One leg's packets since its last keyframe, while worth replaying. */
export class PictureCache<P extends CachedPacket> {
  #packets: P[] = [];
  /** The timestamp of the keyframe the packets start at; null while there is none to start at. */
  #keyframe: number | null = null;
  #keyframeBytes = 0;
  #laterBytes = 0;

  constructor(private readonly maxBytes = PICTURE_CACHE_MAX_BYTES) {}

  /** One more packet of the leg, in arrival order; `keyframe` for the first packet of a keyframe. */
  add(packet: P, keyframe: boolean): void {
    if (keyframe) {
      this.#packets = [];
      this.#keyframe = packet.header.timestamp;
      this.#keyframeBytes = 0;
      this.#laterBytes = 0;
    }
    if (this.#keyframe === null) return;
    if (packet.header.timestamp === this.#keyframe) this.#keyframeBytes += packet.payload.length;
    else this.#laterBytes += packet.payload.length;
    if (this.#laterBytes > this.#keyframeBytes || this.#keyframeBytes + this.#laterBytes > this.maxBytes)
      return this.clear();
    this.#packets.push(packet);
  }

  /** The packets to replay to a viewer starting now, the keyframe's first one first; none when not worth it. */
  get packets(): readonly P[] {
    return this.#packets;
  }

  /** Holds nothing until the next keyframe (the leg's call was replaced, or its picture outgrew the cache). */
  clear(): void {
    this.#packets = [];
    this.#keyframe = null;
  }
}
