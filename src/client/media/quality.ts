/**
 * Adaptive quality, per viewer: a wall tile gets a cheap encoding of a screen, and the one screen a
 * supervisor zooms into is sent to that supervisor alone at full resolution. Pure: presets and the
 * tiny message a supervisor sends over the call's data channel to ask for one or the other.
 */

/** How a screen is sent to one supervisor. */
export type QualityLevel = 'thumbnail' | 'full';

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

/** What travels on a call's data channel, supervisor to student. */
export interface QualityRequest {
  type: 'quality';
  level: QualityLevel;
}

/** Serializes a request. */
export function qualityMessage(level: QualityLevel): string {
  return JSON.stringify({ type: 'quality', level } satisfies QualityRequest);
}

/** Reads a request; anything else (another version, garbage) is null. */
export function parseQualityMessage(data: unknown): QualityRequest | null {
  if (typeof data !== 'string') return null;
  try {
    const message = JSON.parse(data) as Partial<QualityRequest>;
    return message.type === 'quality' && (message.level === 'thumbnail' || message.level === 'full')
      ? { type: 'quality', level: message.level }
      : null;
  } catch {
    return null;
  }
}
