/**
 * Adaptive quality, per viewer: a wall tile gets a cheap encoding of a screen, and the one screen a
 * supervisor zooms into is sent to that supervisor alone at full resolution. Pure: the encoder
 * presets (the request itself is part of the shared protocol).
 */
import type { QualityLevel } from '../../shared/protocol.ts';

/** The encoder limits of each level. */
export const QUALITY: Record<QualityLevel, { maxHeight: number; maxBitrate: number; maxFramerate: number }> = {
  // Enough to see what is on a screen from across the wall.
  thumbnail: { maxHeight: 360, maxBitrate: 250_000, maxFramerate: 5 },
  // Sharp text: the capture's own resolution.
  full: { maxHeight: Number.POSITIVE_INFINITY, maxBitrate: 2_500_000, maxFramerate: 15 },
};

/** Encoding parameters for `level`, given the height of the captured screen. */
export function encodingFor(
  level: QualityLevel,
  captureHeight: number,
): Pick<RTCRtpEncodingParameters, 'scaleResolutionDownBy' | 'maxBitrate' | 'maxFramerate'> {
  const { maxHeight, maxBitrate, maxFramerate } = QUALITY[level];
  const scale = captureHeight > maxHeight ? captureHeight / maxHeight : 1;
  return { scaleResolutionDownBy: scale, maxBitrate, maxFramerate };
}
