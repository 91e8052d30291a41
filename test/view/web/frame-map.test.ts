// The frame map's geometry: power-of-two rows, cells as large as fit, one pixel per frame
// on a 1 GB machine (so 262,144 frames are a 512x512 bitmap, painted in one pass).
import { describe, expect, it } from 'vitest';
import { layoutFor } from '../../../src/view/web/frame-map.js';

describe('layoutFor', () => {
  it('x486 (2,048 frames): 64 columns of 10-pixel cells with a 1-pixel gap', () => {
    expect(layoutFor(2048, 640)).toEqual({ cols: 64, rows: 32, cell: 10, gap: 1 });
  });

  it('1 GB (262,144 frames): 512 x 512 cells of one pixel, no gap', () => {
    expect(layoutFor(262144, 640)).toEqual({ cols: 512, rows: 512, cell: 1, gap: 0 });
  });

  it('tiny (64 frames): cells capped at 24 pixels; a frame count that is no square still fits', () => {
    expect(layoutFor(64, 640)).toEqual({ cols: 8, rows: 8, cell: 24, gap: 1 });
    const l = layoutFor(3000, 640);
    expect(l.cols * l.rows).toBeGreaterThanOrEqual(3000);
    expect(l.cols * l.cell).toBeLessThanOrEqual(640);
  });
});
