// Free memory over the whole run, with the current position marked; a click picks an event.

import type { FreeAnswer } from './client.js';

export class FreeChart {
  private data: FreeAnswer | null = null;
  private readonly ctx: CanvasRenderingContext2D;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly events: number,
  ) {
    this.ctx = canvas.getContext('2d')!;
  }

  set(data: FreeAnswer): void {
    this.data = data;
  }

  draw(position: number): void {
    const { ctx, canvas } = this;
    const w = canvas.width,
      h = canvas.height;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, w, h);
    const d = this.data;
    const xOf = (e: number) => (this.events <= 1 ? 0 : (e / (this.events - 1)) * (w - 1));
    if (d !== null && d.events.length > 0) {
      const max = Math.max(1, ...d.free);
      ctx.strokeStyle = '#2e7d32';
      ctx.lineWidth = 1;
      ctx.beginPath();
      d.events.forEach((e, i) => {
        const y = h - 4 - (d.free[i] / max) * (h - 16);
        if (i === 0) ctx.moveTo(xOf(e), y);
        else ctx.lineTo(xOf(e), y);
      });
      ctx.stroke();
      ctx.fillStyle = '#555';
      ctx.font = '10px sans-serif';
      ctx.fillText(`free pages (max ${max})`, 4, 10);
    }
    ctx.strokeStyle = '#e00000';
    ctx.beginPath();
    ctx.moveTo(Math.round(xOf(position)) + 0.5, 0);
    ctx.lineTo(Math.round(xOf(position)) + 0.5, h);
    ctx.stroke();
  }

  eventAt(clientX: number): number {
    const r = this.canvas.getBoundingClientRect();
    const f = Math.min(1, Math.max(0, (clientX - r.left) / r.width));
    return Math.round(f * (this.events - 1));
  }
}
