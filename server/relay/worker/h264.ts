/**
 * Reads H.264 RTP payloads (RFC 6184) far enough to tell where a keyframe starts, so the relay can
 * start a viewer, or switch it between legs, at a picture it can decode. Pure: no I/O.
 */

/** NAL unit types this module cares about (H.264 table 7-1, RFC 6184 section 5.2). */
const NAL = { idr: 5, sps: 7, stapA: 24, fuA: 28 } as const;

/**
 * The NAL unit types whose first byte is in this payload: a single NAL unit packet's one type, each
 * unit of a STAP-A, or the fragmented unit's type on the first FU-A fragment (none on the others).
 * A malformed aggregation packet yields the units read before the fault.
 */
export function h264NalTypesStarted(payload: Uint8Array): number[] {
  if (payload.length === 0) return [];
  const type = payload[0]! & 0x1f;
  if (type === NAL.stapA) {
    const types: number[] = [];
    let offset = 1;
    while (offset + 2 < payload.length) {
      const size = (payload[offset]! << 8) | payload[offset + 1]!;
      if (size === 0 || offset + 2 + size > payload.length) break;
      types.push(payload[offset + 2]! & 0x1f);
      offset += 2 + size;
    }
    return types;
  }
  if (type === NAL.fuA) {
    const header = payload[1];
    return header !== undefined && header & 0x80 ? [header & 0x1f] : [];
  }
  return [type];
}

/**
 * Whether an H.264 RTP payload starts a keyframe: it carries a sequence parameter set (which
 * browsers send, with the picture parameter set, ahead of every IDR picture) or the start of an IDR
 * picture. Both packets of a keyframe sent as STAP-A [SPS, PPS] then FU-A [IDR] answer true; they
 * share one RTP timestamp, so a caller that wants the first packet alone compares timestamps.
 */
export function isH264KeyframeStart(payload: Uint8Array): boolean {
  return h264NalTypesStarted(payload).some((type) => type === NAL.sps || type === NAL.idr);
}
