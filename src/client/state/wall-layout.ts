/**
 * How the wall lays out a class: columns, tile width and paging from the number of tiles, the
 * space the wall has and the teacher's choices; and how a hovered tile zooms inside that space.
 * Pure: no DOM, unit-tested.
 */

/** The teacher's tile size: fit the whole class on screen, or a fixed size that scrolls. */
export type TileSize = 'fit' | 'small' | 'medium' | 'large';

/** What to do when the class is too big to fit legibly: split it into pages, or scroll. */
export type OverflowMode = 'pages' | 'scroll';

/** Tile widths for the fixed sizes. */
export const FIXED_TILE_WIDTH_PX: Record<Exclude<TileSize, 'fit'>, number> = { small: 180, medium: 260, large: 380 };

/** Narrowest tile whose name and picture stay legible; below it the wall pages or scrolls. */
export const MIN_TILE_WIDTH_PX = 112;

/** Gap between tiles. */
export const TILE_GAP_PX = 6;

/** Height of a tile's name line (and borders) besides its 16:9 picture. */
export const CAPTION_HEIGHT_PX = 30;

/** The space and the choices the layout works from. */
export interface WallInput {
  count: number;
  widthPx: number;
  /** Height the wall may take without the page scrolling. */
  heightPx: number;
  size: TileSize;
  overflow: OverflowMode;
}

/** The layout: `perPage` tiles in `columns` columns of `tileWidthPx`; `pages` is 1 unless paging. */
export interface WallLayout {
  columns: number;
  tileWidthPx: number;
  perPage: number;
  pages: number;
  /** Whether every tile of the page fits in the given height (no scrolling). */
  fits: boolean;
}

/** Picks columns and tile size: the largest tiles for which the whole class fits, if legible. */
export function wallLayout(input: WallInput): WallLayout {
  const count = Math.max(input.count, 1);
  const widthPx = Math.max(input.widthPx, MIN_TILE_WIDTH_PX);
  const heightPx = Math.max(input.heightPx, tileHeightPx(MIN_TILE_WIDTH_PX));
  if (input.size !== 'fit') {
    const tileWidthPx = Math.min(FIXED_TILE_WIDTH_PX[input.size], widthPx);
    const columns = columnsFor(widthPx, tileWidthPx);
    const rows = Math.ceil(count / columns);
    return { columns, tileWidthPx, perPage: count, pages: 1, fits: rowsHeightPx(rows, tileWidthPx) <= heightPx };
  }
  const best = bestFit(count, widthPx, heightPx);
  if (best.tileWidthPx >= MIN_TILE_WIDTH_PX) return { ...best, perPage: count, pages: 1, fits: true };
  // Too many to fit legibly: the smallest legible tiles, paged or scrolled.
  const columns = columnsFor(widthPx, MIN_TILE_WIDTH_PX);
  const tileWidthPx = Math.floor((widthPx - TILE_GAP_PX * (columns - 1)) / columns);
  if (input.overflow === 'scroll') return { columns, tileWidthPx, perPage: count, pages: 1, fits: false };
  const rows = Math.max(1, Math.floor((heightPx + TILE_GAP_PX) / (tileHeightPx(tileWidthPx) + TILE_GAP_PX)));
  const perPage = columns * rows;
  return { columns, tileWidthPx, perPage, pages: Math.ceil(count / perPage), fits: true };
}

/** A tile's full height at a width: its 16:9 picture and its name line. */
export function tileHeightPx(widthPx: number): number {
  return Math.ceil((widthPx * 9) / 16) + CAPTION_HEIGHT_PX;
}

function rowsHeightPx(rows: number, tileWidthPx: number): number {
  return rows * tileHeightPx(tileWidthPx) + (rows - 1) * TILE_GAP_PX;
}

function columnsFor(widthPx: number, tileWidthPx: number): number {
  return Math.max(1, Math.floor((widthPx + TILE_GAP_PX) / (tileWidthPx + TILE_GAP_PX)));
}

function bestFit(count: number, widthPx: number, heightPx: number): { columns: number; tileWidthPx: number } {
  let best = { columns: 1, tileWidthPx: 0 };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const byWidth = (widthPx - TILE_GAP_PX * (columns - 1)) / columns;
    const rowHeight = (heightPx - TILE_GAP_PX * (rows - 1)) / rows;
    const byHeight = ((rowHeight - CAPTION_HEIGHT_PX - 1) * 16) / 9;
    const tileWidthPx = Math.floor(Math.min(byWidth, byHeight));
    if (tileWidthPx > best.tileWidthPx) best = { columns, tileWidthPx };
  }
  // A single tile need not fill a projector: keep it at a comfortable size.
  return { ...best, tileWidthPx: Math.min(best.tileWidthPx, 640) };
}

/** A rectangle in viewport pixels. */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** How a hovered tile grows: a scale and the origin (in the tile's own pixels) it grows from. */
export interface HoverZoom {
  scale: number;
  originXPx: number;
  originYPx: number;
}

/** Width a hovered tile grows towards, so small tiles become readable. */
export const HOVER_TARGET_WIDTH_PX = 480;

/**
 * Grows `tile` towards HOVER_TARGET_WIDTH_PX (at least ×1.35, at most ×3) from an origin chosen so
 * the grown tile stays inside `bounds` (the wall's visible area: never over the header or controls).
 * Where the bounds are too small for that, the scale shrinks until it fits.
 */
export function hoverZoom(tile: Box, bounds: Box): HoverZoom {
  const wanted = Math.min(3, Math.max(1.35, HOVER_TARGET_WIDTH_PX / tile.width));
  const fitScale = Math.min(bounds.width / tile.width, bounds.height / tile.height);
  const scale = Math.max(1, Math.min(wanted, fitScale));
  return {
    scale,
    originXPx: originFor(tile.left, tile.width, bounds.left, bounds.width, scale),
    originYPx: originFor(tile.top, tile.height, bounds.top, bounds.height, scale),
  };
}

/**
 * Along one axis: grown from origin o, the tile spans [start − o(s−1), start + o + (size − o)s].
 * Keeps that inside [lo, lo + span], preferring the centre.
 */
function originFor(start: number, size: number, lo: number, span: number, scale: number): number {
  if (scale <= 1) return size / 2;
  const grow = scale - 1;
  const max = (start - lo) / grow;
  const min = (start + size * scale - (lo + span)) / grow;
  return Math.min(size, Math.max(0, Math.min(max, Math.max(min, size / 2))));
}
