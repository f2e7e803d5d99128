// Paints a matrix into a canvas, one pixel per cell (CSS scales it up with image-rendering:
// pixelated). Thousands of cells cost one putImageData, not thousands of DOM nodes.
import { maxOf, scaleRgb, type ScaleName } from './colors.ts';
import type { AttentionMatrix } from './types.ts';

export function paintMatrix(canvas: HTMLCanvasElement, m: AttentionMatrix, scale: ScaleName, max = maxOf(m.values) || 1): void {
  canvas.width = Math.max(1, m.cols);
  canvas.height = Math.max(1, m.rows);
  const ctx = canvas.getContext('2d');
  if (!ctx || m.rows === 0 || m.cols === 0) return; // no 2D canvas (a test DOM): nothing to paint
  const image = ctx.createImageData(m.cols, m.rows);
  for (let k = 0; k < m.rows * m.cols; k++) {
    const [r, g, b] = scaleRgb(m.values[k] / max, scale);
    image.data[k * 4] = r;
    image.data[k * 4 + 1] = g;
    image.data[k * 4 + 2] = b;
    image.data[k * 4 + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}
