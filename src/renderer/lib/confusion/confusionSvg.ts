// A confusion matrix as a standalone SVG (rows: true label, columns: predicted), each cell with its
// count, shaded by its share of the row (recall along the diagonal), for "Export SVG/PNG".
import { escapeXml, labelWidth } from '../attention/heatmapSvg.ts';
import { scaleColor, textColorOn } from '../attention/colors.ts';

export interface ConfusionSvgInput {
  labels: readonly string[];
  /** counts[true][predicted] */
  counts: readonly (readonly number[])[];
  cell?: number;
}

export function confusionSvg({ labels, counts, cell = 44 }: ConfusionSvgInput): string {
  const n = labels.length;
  if (counts.length !== n || counts.some((row) => row.length !== n)) throw new Error(`confusionSvg: ${n} labels but a ${counts.length}-row matrix that is not ${n}×${n}`);
  const font = 12;
  const left = Math.ceil(Math.max(labelWidth('true ↓', font), ...labels.map((l) => labelWidth(l, font)))) + 12;
  const top = 2 * font + 12;
  const width = left + n * cell + 4, height = top + n * cell + 4;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="${font}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="${font}" fill="#555">predicted →</text>`,
    `<text x="4" y="${top - 4}" fill="#555">true ↓</text>`,
  ];
  labels.forEach((l, j) => out.push(`<text class="col-label" x="${left + (j + 0.5) * cell}" y="${top - 6}" text-anchor="middle" fill="#222">${escapeXml(l)}</text>`));
  counts.forEach((row, t) => {
    const y = top + t * cell;
    out.push(`<text class="row-label" x="${left - 6}" y="${y + cell / 2}" text-anchor="end" dominant-baseline="central" fill="#222">${escapeXml(labels[t])}</text>`);
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, p) => {
      const share = total > 0 ? count / total : 0;
      const x = left + p * cell;
      out.push(
        `<rect class="cell" x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${scaleColor(share, 'blues')}" stroke="#ccc" data-true="${t}" data-predicted="${p}" data-count="${count}"/>`,
        `<text x="${x + cell / 2}" y="${y + cell / 2}" text-anchor="middle" dominant-baseline="central" fill="${textColorOn(share, 'blues')}">${count}</text>`,
      );
    });
  });
  out.push('</svg>');
  return out.join('\n');
}
