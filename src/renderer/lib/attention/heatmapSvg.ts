// Geometry of a heatmap (query tokens as rows, key tokens as columns) and its standalone SVG, used
// both by AttentionHeatmap.svelte and by "Export SVG/PNG" so the file matches the view.
import { maxOf, scaleColor, TOKEN_FONT, type ScaleName } from './colors.ts';
import type { AttentionMatrix } from './types.ts';

export interface HeatmapLayout {
  cell: number; // side of one cell, px
  left: number; // width of the row-label gutter
  top: number; // height of the column-label gutter (labels are rotated)
  width: number;
  height: number;
  fontSize: number;
}

/** Rough rendered width of a label: CJK and other wide characters take a full em. */
export function labelWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += (ch.codePointAt(0) ?? 0) >= 0x1100 ? 1 : 0.6;
  return em * fontSize;
}

export function heatmapLayout(rowTokens: readonly string[], colTokens: readonly string[], cell = 18, fontSize = 12): HeatmapLayout {
  const widest = (tokens: readonly string[]): number => Math.max(0, ...tokens.map((t) => labelWidth(t, fontSize)));
  const left = Math.ceil(widest(rowTokens)) + 8;
  const top = Math.ceil(widest(colTokens)) + 8;
  return { cell, left, top, width: left + colTokens.length * cell, height: top + rowTokens.length * cell, fontSize };
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/**
 * The cells as SVG markup: one <rect> per (row, col) carrying its exact value in data-value.
 * Only numbers and colours go in, never token text, so the view can insert it as HTML: one string
 * parsed by the browser is far faster than thousands of reactive nodes (128 tokens = 16k cells).
 */
export function cellsMarkup(m: AttentionMatrix, L: HeatmapLayout, scale: ScaleName, max: number): string {
  const parts: string[] = [];
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      const v = m.values[i * m.cols + j];
      parts.push(
        `<rect class="cell" x="${L.left + j * L.cell}" y="${L.top + i * L.cell}" width="${L.cell}" height="${L.cell}" fill="${scaleColor(v / max, scale)}" data-row="${i}" data-col="${j}" data-value="${v}"/>`,
      );
    }
  }
  return parts.join('');
}

export interface HeatmapSvgInput {
  matrix: AttentionMatrix; // [rows = query tokens, cols = key tokens]
  rowTokens: readonly string[];
  colTokens: readonly string[];
  scale?: ScaleName;
  max?: number; // value drawn at the top of the scale; defaults to the map's maximum
  cell?: number;
  title?: string;
  background?: string;
  foreground?: string;
}

/** A self-contained SVG document: one <rect> per (row, col) with its exact value in data-value. */
export function heatmapSvg(input: HeatmapSvgInput): string {
  const { matrix: m, rowTokens, colTokens, scale = 'viridis', title = 'attention' } = input;
  if (rowTokens.length !== m.rows || colTokens.length !== m.cols) {
    throw new Error(`heatmapSvg: matrix is ${m.rows}x${m.cols} but got ${rowTokens.length} row and ${colTokens.length} column labels`);
  }
  const L = heatmapLayout(rowTokens, colTokens, input.cell);
  const max = input.max ?? (maxOf(m.values) || 1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}" font-family="${escapeXml(TOKEN_FONT)}" font-size="${L.fontSize}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="${input.background ?? '#fff'}"/>`,
  ];
  const fg = input.foreground ?? '#222';
  rowTokens.forEach((t, i) => {
    const y = L.top + (i + 0.5) * L.cell;
    parts.push(`<text class="row-label" x="${L.left - 4}" y="${y}" text-anchor="end" dominant-baseline="central" fill="${fg}">${escapeXml(t)}</text>`);
  });
  colTokens.forEach((t, j) => {
    const x = L.left + (j + 0.5) * L.cell;
    parts.push(`<text class="col-label" transform="translate(${x},${L.top - 4}) rotate(-90)" dominant-baseline="central" fill="${fg}">${escapeXml(t)}</text>`);
  });
  parts.push(cellsMarkup(m, L, scale, max), '</svg>');
  return parts.join('\n');
}
