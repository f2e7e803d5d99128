// Geometry and SVG of the lines view: query tokens in a left column, key tokens in a right one,
// a line from query i to key j whose opacity is the weight (relative to the largest shown).
import { escapeXml } from './heatmapSvg.ts';
import { maxOf, TOKEN_FONT } from './colors.ts';
import type { AttentionMatrix } from './types.ts';

export interface LinesLayout {
  rowHeight: number;
  columnWidth: number; // width reserved for each token column
  gap: number; // horizontal span of the lines
  width: number;
  height: number;
}

export interface Segment {
  row: number;
  col: number;
  value: number;
  opacity: number; // value / max over the map
}

export function linesLayout(rows: number, cols: number, rowHeight = 22, columnWidth = 110, gap = 180): LinesLayout {
  return { rowHeight, columnWidth, gap, width: 2 * columnWidth + gap, height: Math.max(rows, cols) * rowHeight };
}

/**
 * Lines worth drawing: weight at least `minOpacity` of the map's maximum (fainter ones are
 * invisible), and only the `maxLines` strongest of those (a long sentence would draw thousands).
 */
export function segments(m: AttentionMatrix, minOpacity = 0.02, maxLines = 2000): Segment[] {
  const max = maxOf(m.values) || 1;
  const out: Segment[] = [];
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      const value = m.values[i * m.cols + j];
      const opacity = value / max;
      if (opacity >= minOpacity) out.push({ row: i, col: j, value, opacity });
    }
  }
  return out.length <= maxLines ? out : out.sort((a, b) => b.value - a.value).slice(0, maxLines);
}

export interface LinesSvgInput {
  matrix: AttentionMatrix;
  rowTokens: readonly string[];
  colTokens: readonly string[];
  color?: string;
  background?: string;
  foreground?: string;
  title?: string;
}

export function linesSvg(input: LinesSvgInput): string {
  const { matrix: m, rowTokens, colTokens, color = '#4e79a7', title = 'attention lines' } = input;
  if (rowTokens.length !== m.rows || colTokens.length !== m.cols) {
    throw new Error(`linesSvg: matrix is ${m.rows}x${m.cols} but got ${rowTokens.length} row and ${colTokens.length} column labels`);
  }
  const L = linesLayout(m.rows, m.cols);
  const fg = input.foreground ?? '#222';
  const y = (k: number): number => (k + 0.5) * L.rowHeight;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}" font-family="${escapeXml(TOKEN_FONT)}" font-size="13">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="${input.background ?? '#fff'}"/>`,
  ];
  for (const s of segments(m)) {
    parts.push(`<line x1="${L.columnWidth}" y1="${y(s.row)}" x2="${L.columnWidth + L.gap}" y2="${y(s.col)}" stroke="${color}" stroke-width="2" stroke-opacity="${s.opacity.toFixed(4)}" data-row="${s.row}" data-col="${s.col}" data-value="${s.value}"/>`);
  }
  rowTokens.forEach((t, i) => parts.push(`<text x="${L.columnWidth - 6}" y="${y(i)}" text-anchor="end" dominant-baseline="central" fill="${fg}">${escapeXml(t)}</text>`));
  colTokens.forEach((t, j) => parts.push(`<text x="${L.columnWidth + L.gap + 6}" y="${y(j)}" dominant-baseline="central" fill="${fg}">${escapeXml(t)}</text>`));
  parts.push('</svg>');
  return parts.join('\n');
}
