/**
 * Adaptive quality, per viewer: cost follows what each supervisor sees. A tile is sent no larger
 * than it is shown (in steps), at a frame rate that falls as the wall shows more tiles, and not at
 * all while nobody can see it; the one screen a supervisor zooms into gets full resolution.
 * Pure: the encoder settings only (the requests themselves are part of the shared protocol).
 */
import { legForView, type QualityLevel, type QualityRequest, type TileView } from '../../shared/protocol.ts';

/** The encoder limits of each level, as the first protocol (a bare `quality` request) meant them. */
export const QUALITY: Record<QualityLevel, { maxHeight: number; maxBitrate: number; maxFramerate: number }> = {
  // Enough to see what is on a screen from across the wall.
  thumbnail: { maxHeight: 360, maxBitrate: 250_000, maxFramerate: 5 },
  // Sharp text: the capture's own resolution.
  full: { maxHeight: Number.POSITIVE_INFINITY, maxBitrate: 2_500_000, maxFramerate: 15 },
};

/**
 * The widths a thumbnail is sent at, smallest first, each with its bitrate cap: the smallest step at
 * least as wide as the tile's picture is used, so the browser scales down, never up.
 */
export const THUMBNAIL_STEPS: readonly { widthPx: number; maxBitrate: number }[] = [
  { widthPx: 160, maxBitrate: 40_000 },
  { widthPx: 320, maxBitrate: 90_000 },
  { widthPx: 640, maxBitrate: 250_000 },
];

/**
 * Frames per second a whole wall of thumbnails is sent at, shared by the tiles shown. A teacher's
 * browser redraws the page for each frame that arrives from any tile, so its cost follows the sum
 * of the tiles' rates more than their sizes (bench/wall.ts).
 */
export const WALL_FRAMES_PER_SECOND = 30;

/** The most frames per second a screen is captured at (capture.ts asks for no more). */
export const CAPTURE_MAX_FPS = 30;

/** Frame rate of each thumbnail when `tilesShown` tiles are on screen: the wall's budget shared, 1 to 5 fps. */
export function framerateForTiles(tilesShown: number): number {
  return Math.max(1, Math.min(5, Math.floor(WALL_FRAMES_PER_SECOND / Math.max(1, tilesShown))));
}

/** What the encoder of one call is set to. */
export interface Encoding {
  /** False: the encoder sends nothing to this viewer. */
  active: boolean;
  scaleResolutionDownBy: number;
  maxBitrate: number;
  maxFramerate: number;
}

/** The captured screen's size, in pixels. */
export interface CaptureSize {
  width: number;
  height: number;
}

/** Encoder settings for what a supervisor asked, given the captured screen's size. */
export function encodingFor(request: QualityRequest | TileView, capture: CaptureSize): Encoding {
  if (request.type === 'quality') return presetFor(request.level, capture);
  if (!request.visible) return { ...presetFor('thumbnail', capture), active: false };
  if (legForView(request) === 'full') return presetFor('full', capture);
  // The picture is letterboxed in its tile (object-fit: contain): only its shown width counts.
  const aspect = capture.height > 0 ? capture.width / capture.height : 16 / 9;
  const shownWidthPx = Math.min(request.widthPx, request.heightPx * aspect);
  const step = THUMBNAIL_STEPS.find((s) => s.widthPx >= shownWidthPx) ?? THUMBNAIL_STEPS.at(-1)!;
  return {
    active: true,
    scaleResolutionDownBy: capture.width > step.widthPx ? capture.width / step.widthPx : 1,
    maxBitrate: step.maxBitrate,
    maxFramerate: framerateForTiles(request.tilesShown),
  };
}

function presetFor(level: QualityLevel, capture: CaptureSize): Encoding {
  const { maxHeight, maxBitrate, maxFramerate } = QUALITY[level];
  const scale = capture.height > maxHeight ? capture.height / maxHeight : 1;
  return { active: true, scaleResolutionDownBy: scale, maxBitrate, maxFramerate };
}

/**
 * What a call's encoder is set to until its first frame is encoded: what was asked, but no larger
 * than a thumbnail, and at any frame rate. A first keyframe at full size takes ~100 ms longer to
 * encode than one at thumbnail size (bench/results/networks.json, `firstKeyframeSize`), and a larger
 * keyframe takes longer to send while the sender's bandwidth estimate is still low; until it
 * arrives the viewer sees nothing. Held to a wall's thumbnail rate (1 to 5 fps), half the first
 * frames through the relay were encoded ~150 ms after the first captured frame the call could send,
 * and at 1 fps some ~600 ms (bench/results/relay-media.json, `firstFrameRate`). The size and rate
 * asked for follow one frame later.
 */
export function firstFrameEncoding<
  T extends Partial<Pick<Encoding, 'scaleResolutionDownBy' | 'maxBitrate' | 'maxFramerate'>>,
>(wanted: T, capture: CaptureSize): T & Pick<Encoding, 'scaleResolutionDownBy' | 'maxBitrate'> {
  const cap = presetFor('thumbnail', capture);
  return {
    ...wanted,
    scaleResolutionDownBy: Math.max(wanted.scaleResolutionDownBy ?? 1, cap.scaleResolutionDownBy),
    maxBitrate: Math.min(wanted.maxBitrate ?? Number.POSITIVE_INFINITY, cap.maxBitrate),
    // A rate limit asked for is lifted (none asked, as for a presentation, stays none).
    ...(wanted.maxFramerate === undefined ? {} : { maxFramerate: Math.max(wanted.maxFramerate, CAPTURE_MAX_FPS) }),
  };
}
