// @vitest-environment happy-dom
// An exported attention picture: panels side by side in their own coordinates, labels, and the
// caption naming run, step and sentence (escaped, widening the picture when it is long).
import { expect, test } from 'vitest';
import { captionedSvg } from '../../../src/renderer/lib/attention/captioned';
import { heatmapSvg } from '../../../src/renderer/lib/attention/heatmapSvg';

const parse = (svg: string) => new DOMParser().parseFromString(svg, 'image/svg+xml');
const map = (values: number[], n: number) => heatmapSvg({ matrix: { values: Float32Array.from(values), rows: n, cols: n }, rowTokens: ['猫', '在'].slice(0, n), colTokens: ['猫', '在'].slice(0, n) });

test('panels keep every cell, sit left to right with a gap, and the caption names the run, step and sentence', () => {
  const a = map([1, 0, 0.5, 0.5], 2), b = map([0.2, 0.8, 0.1, 0.9], 2);
  const caption = 'demo-bert-zh · step 359 · “猫在” · layer 1, head 2 <B − A>';
  const doc = parse(captionedSvg([{ svg: a, label: 'A' }, { svg: b, label: 'B' }], caption));
  const root = doc.documentElement;
  const inner = [...root.children].filter((e) => e.tagName === 'svg');
  expect(inner).toHaveLength(2);
  const wa = Number(inner[0].getAttribute('width'));
  expect(inner[0].getAttribute('x')).toBe('0');
  expect(inner[1].getAttribute('x')).toBe(String(wa + 16));
  expect(inner[1].querySelectorAll('rect[data-value]')).toHaveLength(4);
  expect([...inner[1].querySelectorAll('rect[data-value]')].map((r) => Number(r.getAttribute('data-value')))).toEqual([0.2, 0.8, 0.1, 0.9].map((v) => Math.fround(v)));
  expect([...root.querySelectorAll('text.panel-label')].map((t) => t.textContent)).toEqual(['A', 'B']);
  expect(root.querySelector('text.caption')!.textContent).toBe(caption);
  expect(Number(root.getAttribute('height'))).toBeGreaterThan(Number(inner[0].getAttribute('height')) + 22);
});

test('a caption longer than the panels widens the picture; a non-SVG panel is refused', () => {
  const caption = 'x'.repeat(400);
  const doc = parse(captionedSvg([{ svg: map([1], 1) }], caption));
  expect(Number(doc.documentElement.getAttribute('width'))).toBeGreaterThanOrEqual(400 * 0.6 * 12);
  expect(doc.documentElement.querySelectorAll('text.panel-label')).toHaveLength(0);
  expect(() => captionedSvg([{ svg: '<div></div>' }], 'c')).toThrow(/not an SVG document/);
});

test('a confusion matrix picture has one cell per (true, predicted) with its count, and refuses a ragged matrix', async () => {
  const { confusionSvg } = await import('../../../src/renderer/lib/confusion/confusionSvg');
  const counts = [[50, 3, 1], [4, 40, 6], [0, 2, 30]];
  const doc = parse(captionedSvg([{ svg: confusionSvg({ labels: ['差评', 'neutral', '好评'], counts }) }], 'ft · step 100 · test (136 rows)'));
  const cells = [...doc.querySelectorAll('rect.cell')];
  expect(cells).toHaveLength(9);
  for (const c of cells) expect(Number(c.getAttribute('data-count'))).toBe(counts[Number(c.getAttribute('data-true'))][Number(c.getAttribute('data-predicted'))]);
  expect([...doc.querySelectorAll('text.row-label')].map((t) => t.textContent)).toEqual(['差评', 'neutral', '好评']);
  expect(() => confusionSvg({ labels: ['a', 'b'], counts: [[1, 2], [3]] })).toThrow(/not 2×2/);
});
