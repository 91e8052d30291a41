// The frame map: one cell per page frame, coloured by state, painted as one ImageData
// (a 262,144-frame machine is one pass over a 512x512 bitmap, not a quarter-million
// fillRects). Outlines mark the clock hand, the selected frame and frames a diff changed.

import { CHANGED_COLOR, CLOCK_HAND_COLOR, FRAME_STATES, rgb, SELECTED_COLOR } from '../legend.js';

export interface MapLayout {
  cols: number;
  rows: number;
  /** Cell size in canvas pixels; `gap` of them at its right and bottom are left as background. */
  cell: number;
  gap: number;
}

/** Columns a power of two (so rows are aligned blocks of frames), cells as big as fit in `maxWidth`, at most 24 px. */
export function layoutFor(nframes: number, maxWidth: number): MapLayout {
  const cols = Math.min(1 << Math.ceil(Math.log2(Math.sqrt(Math.max(1, nframes)))), Math.max(1, nframes));
  const cell = Math.max(1, Math.min(24, Math.floor(maxWidth / cols)));
  return { cols, rows: Math.ceil(nframes / cols), cell, gap: cell >= 5 ? 1 : 0 };
}

const BACKGROUND = '#ffffff';

/** Canvas pixels are RGBA bytes; as little-endian 32-bit words that is 0xAABBGGRR. */
function word(color: string): number {
  const [r, g, b] = rgb(color);
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

export class FrameMap {
  readonly layout: MapLayout;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly palette = FRAME_STATES.map((s) => word(s.color));

  constructor(
    private readonly canvas: HTMLCanvasElement,
    readonly nframes: number,
    maxWidth: number,
  ) {
    this.layout = layoutFor(nframes, maxWidth);
    canvas.width = this.layout.cols * this.layout.cell;
    canvas.height = this.layout.rows * this.layout.cell;
    canvas.dataset.cols = String(this.layout.cols);
    canvas.dataset.cell = String(this.layout.cell);
    this.ctx = canvas.getContext('2d')!;
  }

  draw(states: Uint8Array, hand: number, selected: number | null, changed: readonly number[]): void {
    const { cols, cell, gap } = this.layout;
    const w = this.canvas.width;
    const img = this.ctx.createImageData(w, this.canvas.height);
    const px = new Uint32Array(img.data.buffer);
    px.fill(word(BACKGROUND));
    const inner = cell - gap;
    if (cell === 1) {
      // one pixel per frame, row-major like the frames: a straight copy through the palette
      for (let pfn = 0; pfn < states.length; pfn++) px[pfn] = this.palette[states[pfn]] ?? this.palette[0];
    } else {
      for (let pfn = 0; pfn < states.length; pfn++) {
        const c = this.palette[states[pfn]] ?? this.palette[0];
        let o = Math.floor(pfn / cols) * cell * w + (pfn % cols) * cell;
        for (let y = 0; y < inner; y++, o += w) px.fill(c, o, o + inner);
      }
    }
    this.ctx.putImageData(img, 0, 0);
    for (const pfn of changed) this.outline(pfn, CHANGED_COLOR);
    if (selected !== null) this.outline(selected, SELECTED_COLOR);
    this.outline(hand, CLOCK_HAND_COLOR);
  }

  /** A frame's centre in canvas pixels. */
  centre(pfn: number): { x: number; y: number } {
    const { cols, cell } = this.layout;
    return { x: (pfn % cols) * cell + cell / 2, y: Math.floor(pfn / cols) * cell + cell / 2 };
  }

  /** The frame under a mouse position (client coordinates), or null off the map. */
  frameAt(clientX: number, clientY: number): number | null {
    const r = this.canvas.getBoundingClientRect();
    const x = ((clientX - r.left) * this.canvas.width) / r.width;
    const y = ((clientY - r.top) * this.canvas.height) / r.height;
    const { cols, cell } = this.layout;
    const col = Math.floor(x / cell),
      row = Math.floor(y / cell);
    const pfn = row * cols + col;
    return col >= 0 && col < cols && row >= 0 && pfn < this.nframes ? pfn : null;
  }

  /** A border inside big cells (the centre keeps the state colour); a small square around tiny ones so it can be seen. */
  private outline(pfn: number, color: string): void {
    if (pfn < 0 || pfn >= this.nframes) return;
    const { cell, gap } = this.layout;
    const { x, y } = this.centre(pfn);
    this.ctx.strokeStyle = color;
    if (cell >= 6) {
      this.ctx.lineWidth = 2;
      const s = cell - gap;
      this.ctx.strokeRect(x - cell / 2 + 1, y - cell / 2 + 1, s - 2, s - 2);
    } else {
      this.ctx.lineWidth = 1;
      this.ctx.strokeRect(Math.round(x) - 3.5, Math.round(y) - 3.5, 7, 7);
    }
  }
}
