// A metric chart as a standalone SVG, drawn from the chart's own data (not a screenshot): axes with
// ticks, one polyline per line (dashed where the chart dashes it), a legend, and the same caption
// line as the PNG export (which chart, which run, which step, which lines). Pure, so it is tested
// without a browser (tests/unit/renderer/chart-svg.test.ts).
import { escapeXml } from '../attention/heatmapSvg.ts';

export interface SvgLine {
  label: string;
  color: string;
  dashed?: boolean;
  points: readonly { x: number; y: number }[];
}

export interface ChartSvgInput {
  lines: readonly SvgLine[];
  xLabel: string;
  logScale?: boolean;
  caption: string;
  width?: number;
  height?: number;
  colors?: { background: string; text: string; grid: string };
}

/** Round tick values covering [min, max]: steps of 1, 2 or 5 times a power of ten, about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Ticks of a log axis: the powers of ten inside [min, max] (with 2 and 5 times them when few). */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > 0)) return [];
  const lo = Math.floor(Math.log10(min)), hi = Math.ceil(Math.log10(max));
  const mult = hi - lo <= 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) for (const m of mult) {
    const t = Number((m * 10 ** e).toPrecision(12));
    if (t >= min && t <= max) ticks.push(t);
  }
  return ticks;
}

function tickText(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

const FONT = "font-family=\"'Noto Sans', 'Noto Sans CJK SC', sans-serif\"";

/** The chart as an SVG document. Points with y ≤ 0 are left out on a log scale (they have no place there). */
export function chartSvg(input: ChartSvgInput): string {
  const W = input.width ?? 720, H = input.height ?? 360;
  const colors = input.colors ?? { background: '#ffffff', text: '#222222', grid: '#d9dde5' };
  const log = input.logScale === true;
  const lines = input.lines.map((l) => ({ ...l, points: l.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!log || p.y > 0)) }));
  const all = lines.flatMap((l) => l.points);
  const legendRows = lines.length;
  const left = 56, right = 16, top = 16 + 16 * legendRows, bottom = 62;
  const plotW = W - left - right, plotH = H - top - bottom;
  let [x0, x1] = all.length ? [Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x))] : [0, 1];
  let [y0, y1] = all.length ? [Math.min(...all.map((p) => p.y)), Math.max(...all.map((p) => p.y))] : [0, 1];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = log ? [y0 / 2, y1 * 2] : [y0 - 1, y1 + 1];
  const ty = (y: number) => (log ? Math.log10(y) : y);
  const sx = (x: number) => left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number) => top + plotH - ((ty(y) - ty(y0)) / (ty(y1) - ty(y0))) * plotH;
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="${colors.background}"/>`);
  // Axes, grid and ticks.
  const xt = niceTicks(x0, x1, 6), yt = log ? logTicks(y0, y1) : niceTicks(y0, y1, 5);
  for (const t of xt) {
    out.push(`<line class="grid" x1="${f(sx(t))}" y1="${top}" x2="${f(sx(t))}" y2="${top + plotH}" stroke="${colors.grid}" stroke-width="0.5"/>`);
    out.push(`<text class="x-tick" x="${f(sx(t))}" y="${top + plotH + 14}" text-anchor="middle" fill="${colors.text}">${tickText(t)}</text>`);
  }
  for (const t of yt) {
    out.push(`<line class="grid" x1="${left}" y1="${f(sy(t))}" x2="${left + plotW}" y2="${f(sy(t))}" stroke="${colors.grid}" stroke-width="0.5"/>`);
    out.push(`<text class="y-tick" x="${left - 6}" y="${f(sy(t) + 4)}" text-anchor="end" fill="${colors.text}">${tickText(t)}</text>`);
  }
  out.push(`<rect class="axes" x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="${colors.text}" stroke-width="1"/>`);
  out.push(`<text class="x-label" x="${left + plotW / 2}" y="${top + plotH + 30}" text-anchor="middle" fill="${colors.text}">${escapeXml(input.xLabel)}</text>`);
  if (log) out.push(`<text class="y-label" x="12" y="${top + plotH / 2}" transform="rotate(-90 12 ${top + plotH / 2})" text-anchor="middle" fill="${colors.text}">log scale</text>`);
  // Lines, clipped to the plot.
  out.push(`<clipPath id="plot"><rect x="${left}" y="${top}" width="${plotW}" height="${plotH}"/></clipPath>`);
  for (const l of lines) {
    if (!l.points.length) continue;
    const pts = l.points.map((p) => `${f(sx(p.x))},${f(sy(p.y))}`).join(' ');
    out.push(`<polyline class="series" data-label="${escapeXml(l.label)}" clip-path="url(#plot)" fill="none" stroke="${l.color}" stroke-width="1.5"${l.dashed ? ' stroke-dasharray="5 4"' : ''} points="${pts}"/>`);
  }
  // Legend above the plot, one row a line.
  lines.forEach((l, i) => {
    const y = 12 + 16 * i;
    out.push(`<g class="legend"><line x1="${left}" y1="${y}" x2="${left + 24}" y2="${y}" stroke="${l.color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="5 4"' : ''}/><text x="${left + 30}" y="${y + 4}" fill="${colors.text}">${escapeXml(l.label)}</text></g>`);
  });
  out.push(`<text class="caption" x="8" y="${H - 10}" font-size="12" fill="${colors.text}">${escapeXml(input.caption)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}
