import { describe, expect, it } from 'vitest';
import {
  MIN_TILE_WIDTH_PX,
  TILE_GAP_PX,
  hoverZoom,
  tileHeightPx,
  wallLayout,
  type Box,
} from '../../src/client/state/wall-layout.ts';

const fitsIn = (layout: ReturnType<typeof wallLayout>, count: number, widthPx: number, heightPx: number) => {
  const rows = Math.ceil(Math.min(count, layout.perPage) / layout.columns);
  const w = layout.columns * layout.tileWidthPx + (layout.columns - 1) * TILE_GAP_PX;
  const h = rows * tileHeightPx(layout.tileWidthPx) + (rows - 1) * TILE_GAP_PX;
  return w <= widthPx && h <= heightPx;
};

describe('wallLayout', () => {
  it('fits 30 legible tiles in the wall of a 1024×768 landscape and an 820×1180 portrait tablet', () => {
    for (const [widthPx, heightPx] of [
      [990, 540],
      [788, 900],
    ] as const) {
      const layout = wallLayout({ count: 30, widthPx, heightPx, size: 'fit', overflow: 'pages' });
      expect(layout.pages).toBe(1);
      expect(layout.tileWidthPx).toBeGreaterThanOrEqual(MIN_TILE_WIDTH_PX);
      expect(fitsIn(layout, 30, widthPx, heightPx)).toBe(true);
    }
  });

  it('gives few students big tiles and many students small ones', () => {
    const few = wallLayout({ count: 4, widthPx: 1000, heightPx: 600, size: 'fit', overflow: 'pages' });
    const many = wallLayout({ count: 30, widthPx: 1000, heightPx: 600, size: 'fit', overflow: 'pages' });
    expect(few.tileWidthPx).toBeGreaterThan(400);
    expect(many.tileWidthPx).toBeLessThan(few.tileWidthPx);
  });

  it('pages a class too big to fit legibly, or scrolls it, as the teacher chooses', () => {
    const paged = wallLayout({ count: 90, widthPx: 990, heightPx: 540, size: 'fit', overflow: 'pages' });
    expect(paged.pages).toBeGreaterThan(1);
    expect(paged.tileWidthPx).toBeGreaterThanOrEqual(MIN_TILE_WIDTH_PX);
    expect(fitsIn(paged, paged.perPage, 990, 540)).toBe(true);
    const scrolled = wallLayout({ count: 90, widthPx: 990, heightPx: 540, size: 'fit', overflow: 'scroll' });
    expect(scrolled).toMatchObject({ pages: 1, perPage: 90, fits: false });
  });

  it('keeps a fixed tile size the teacher picked, scrolling if needed', () => {
    const large = wallLayout({ count: 30, widthPx: 990, heightPx: 540, size: 'large', overflow: 'pages' });
    expect(large.tileWidthPx).toBe(380);
    expect(large.columns).toBe(2);
    expect(large.fits).toBe(false);
  });
});

describe('hoverZoom', () => {
  const bounds: Box = { left: 16, top: 200, width: 990, height: 540 };
  const grown = (tile: Box) => {
    const z = hoverZoom(tile, bounds);
    return {
      left: tile.left + z.originXPx * (1 - z.scale),
      top: tile.top + z.originYPx * (1 - z.scale),
      right: tile.left + z.originXPx * (1 - z.scale) + tile.width * z.scale,
      bottom: tile.top + z.originYPx * (1 - z.scale) + tile.height * z.scale,
      scale: z.scale,
    };
  };

  it('grows a tile in any corner without leaving the wall', () => {
    for (const tile of [
      { left: 16, top: 200, width: 150, height: 114 },
      { left: 856, top: 200, width: 150, height: 114 },
      { left: 16, top: 626, width: 150, height: 114 },
      { left: 856, top: 626, width: 150, height: 114 },
      { left: 400, top: 400, width: 150, height: 114 },
    ]) {
      const g = grown(tile);
      expect(g.scale).toBeGreaterThan(1.3);
      expect(g.left).toBeGreaterThanOrEqual(bounds.left - 0.01);
      expect(g.top).toBeGreaterThanOrEqual(bounds.top - 0.01);
      expect(g.right).toBeLessThanOrEqual(bounds.left + bounds.width + 0.01);
      expect(g.bottom).toBeLessThanOrEqual(bounds.top + bounds.height + 0.01);
    }
  });

  it('shrinks the zoom where the wall is too small for it', () => {
    const tile = { left: 16, top: 200, width: 600, height: 368 };
    expect(hoverZoom(tile, { left: 16, top: 200, width: 700, height: 400 }).scale).toBeLessThanOrEqual(400 / 368);
  });
});
