// @vitest-environment happy-dom
import { describe, expect, test } from 'vitest';
import { scaleRgb } from '../../../src/renderer/lib/attention/colors.ts';
import { heatmapSvg } from '../../../src/renderer/lib/attention/heatmapSvg.ts';
import { linesSvg } from '../../../src/renderer/lib/attention/linesLayout.ts';
import { randomAttention, rng } from './random.ts';

const rowTokens = ['<s>', '我', '喜欢', 'a<b&"c"', '猫'];
const colTokens = ['<s>', '我', '喜欢', 'a<b&"c"', '猫', '。', 'x'];

describe('SVG export', () => {
  const probs = randomAttention(rng(9), 1, rowTokens.length, colTokens.length);
  const matrix = { values: probs, rows: rowTokens.length, cols: colTokens.length };

  test('heatmap SVG has one cell per (row, col) with its exact value, and every token label', () => {
    const svg = heatmapSvg({ matrix, rowTokens, colTokens, title: 'Layer 1, head 1' });
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    expect(doc.querySelector('parsererror')).toBeNull();
    const cells = [...doc.querySelectorAll('rect.cell')];
    expect(cells.length).toBe(rowTokens.length * colTokens.length);
    for (const cell of cells) {
      const i = Number(cell.getAttribute('data-row'));
      const j = Number(cell.getAttribute('data-col'));
      expect(Number(cell.getAttribute('data-value'))).toBe(probs[i * colTokens.length + j]);
    }
    expect([...doc.querySelectorAll('text.row-label')].map((t) => t.textContent)).toEqual(rowTokens);
    expect([...doc.querySelectorAll('text.col-label')].map((t) => t.textContent)).toEqual(colTokens);
    expect(svg).toContain('Noto Sans CJK');
  });

  test('lines SVG labels both columns and draws only visible lines with their values', () => {
    const svg = linesSvg({ matrix, rowTokens, colTokens });
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    expect(doc.querySelector('parsererror')).toBeNull();
    const texts = [...doc.querySelectorAll('text')].map((t) => t.textContent);
    expect(texts).toEqual([...rowTokens, ...colTokens]);
    const lines = [...doc.querySelectorAll('line')];
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const k = Number(line.getAttribute('data-row')) * colTokens.length + Number(line.getAttribute('data-col'));
      expect(Number(line.getAttribute('data-value'))).toBe(probs[k]);
    }
  });

  test('labels must match the matrix', () => {
    expect(() => heatmapSvg({ matrix, rowTokens: ['a'], colTokens })).toThrow(/5x7 but got 1 row/);
  });

  test('colour scale ends at its control points', () => {
    expect(scaleRgb(0)).toEqual([68, 1, 84]);
    expect(scaleRgb(1)).toEqual([253, 231, 37]);
    expect(scaleRgb(2)).toEqual([253, 231, 37]);
    expect(scaleRgb(NaN)).toEqual([68, 1, 84]);
  });
});
