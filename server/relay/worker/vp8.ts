/**
 * Reads VP8 RTP payloads (RFC 7741) far enough to tell where a keyframe starts, so the relay can
 * start a viewer, or switch it between legs, at a picture it can decode. Pure: no I/O.
 */

/**
 * Whether a VP8 RTP payload starts a keyframe (RFC 7741): the descriptor's S bit with partition 0,
 * then the payload header's P bit clear.
 */
export function isVp8KeyframeStart(payload: Uint8Array): boolean {
  if (payload.length < 1) return false;
  const first = payload[0]!;
  const start = (first & 0x10) !== 0 && (first & 0x07) === 0;
  if (!start) return false;
  let offset = 1;
  if (first & 0x80) {
    const ext = payload[offset++] ?? 0;
    if (ext & 0x80) offset += (payload[offset] ?? 0) & 0x80 ? 2 : 1;
    if (ext & 0x40) offset += 1;
    if (ext & 0x30) offset += 1;
  }
  return offset < payload.length && (payload[offset]! & 0x01) === 0;
}
