// @vitest-environment happy-dom
import { flushSync } from 'svelte';
import { afterEach, describe, expect, test } from 'vitest';
import AttentionHeatmap from '../../../src/renderer/lib/attention/AttentionHeatmap.svelte';
import AttentionLines from '../../../src/renderer/lib/attention/AttentionLines.svelte';
import ExportButtons from '../../../src/renderer/lib/attention/ExportButtons.svelte';
import HeadGrid from '../../../src/renderer/lib/attention/HeadGrid.svelte';
import StepSlider from '../../../src/renderer/lib/attention/StepSlider.svelte';
import { headMatrix } from '../../../src/renderer/lib/attention/types.ts';
import MetricChart from '../../../src/renderer/lib/charts/MetricChart.svelte';
import { MetricsStore } from '../../../src/renderer/lib/charts/metrics.svelte.ts';
import { expectAccessibleControls, render } from './mount.ts';
import { randomAttention, rng } from './random.ts';

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});
function mounted<T extends { destroy(): void }>(r: T): T {
  cleanup.push(() => r.destroy());
  return r;
}

const tokens = ['<s>', '我', '喜欢', '猫', '.', 'cats'];
const T = tokens.length;

describe('AttentionHeatmap', () => {
  test('cell values equal the given probabilities and both axes carry the tokens', () => {
    // Two heads of one layer, as the engine's inspection path returns them: [heads, T, T] float32.
    const layer = { probs: randomAttention(rng(2), 2, T, T, true), heads: 2, tq: T, tk: T };
    const { target } = mounted(render(AttentionHeatmap, { matrix: headMatrix(layer, 1), rowTokens: tokens, colTokens: tokens, label: 'Layer 1, head 2' }));
    const cells = target.querySelectorAll('rect.cell');
    expect(cells.length).toBe(T * T);
    for (const cell of cells) {
      const i = Number(cell.getAttribute('data-row'));
      const j = Number(cell.getAttribute('data-col'));
      expect(Number(cell.getAttribute('data-value'))).toBe(layer.probs[T * T + i * T + j]); // head 1
    }
    expect([...target.querySelectorAll('text.row-label')].map((t) => t.textContent)).toEqual(tokens);
    expect([...target.querySelectorAll('text.col-label')].map((t) => t.textContent)).toEqual(tokens);
    expect(target.querySelector('svg')?.getAttribute('font-family')).toContain('Noto Sans CJK');
    expectAccessibleControls(target);
  });

  test('arrow keys move a cursor whose readout shows the value; hover does too', () => {
    const probs = randomAttention(rng(4), 1, T, T);
    let hovered: { row: number; col: number; value: number } | null = null;
    const { target } = mounted(render(AttentionHeatmap, { matrix: { values: probs, rows: T, cols: T }, rowTokens: tokens, colTokens: tokens, onhover: (c) => (hovered = c) }));
    const grid = target.querySelector('[role="grid"]') as HTMLElement;
    grid.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    grid.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    grid.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    flushSync();
    expect(hovered).toEqual({ row: 1, col: 1, value: probs[T + 1] });
    expect(target.querySelector('output')?.textContent).toBe(`我 → 我: ${probs[T + 1].toFixed(4)}`);
    const cell = target.querySelector('rect[data-row="3"][data-col="2"]') as Element;
    cell.dispatchEvent(new PointerEvent('pointermove', { bubbles: true }));
    flushSync();
    expect(hovered).toEqual({ row: 3, col: 2, value: probs[3 * T + 2] });
  });

  test('a large map paints into a canvas and still reads exact values at the cursor', () => {
    const n = 50; // 2500 cells > the default SVG limit of 1600
    const words = Array.from({ length: n }, (_, i) => (i % 2 ? `w${i}` : `字${i}`));
    const probs = randomAttention(rng(6), 1, n, n, true);
    const { target } = mounted(render(AttentionHeatmap, { matrix: { values: probs, rows: n, cols: n }, rowTokens: words, colTokens: words }));
    const grid = target.querySelector('[role="grid"]') as HTMLElement;
    expect(grid.getAttribute('data-mode')).toBe('canvas');
    expect(target.querySelectorAll('rect.cell').length).toBe(0);
    expect(target.querySelectorAll('canvas').length).toBe(1);
    expect([...target.querySelectorAll('text.col-label')].map((t) => t.textContent)).toEqual(words);
    for (const key of ['ArrowRight', 'ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowLeft']) {
      grid.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    }
    flushSync();
    const cursor = target.querySelector('rect.cursor') as Element;
    expect([cursor.getAttribute('data-row'), cursor.getAttribute('data-col')]).toEqual(['3', '0']);
    expect(Number(cursor.getAttribute('data-value'))).toBe(probs[3 * n]);
  });
});

describe('AttentionLines', () => {
  test('focusing a token keeps only its lines', () => {
    const probs = randomAttention(rng(8), 1, T, T);
    const { target } = mounted(render(AttentionLines, { matrix: { values: probs, rows: T, cols: T }, rowTokens: tokens, colTokens: tokens }));
    const all = target.querySelectorAll('line').length;
    expect(all).toBeGreaterThan(T);
    const query = target.querySelectorAll('.query button')[2] as HTMLButtonElement;
    query.dispatchEvent(new FocusEvent('focus'));
    flushSync();
    const lines = [...target.querySelectorAll('line')];
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(T);
    expect(lines.every((l) => l.getAttribute('data-row') === '2')).toBe(true);
    expect(expectAccessibleControls(target)).toBe(2 * T);
  });
});

describe('HeadGrid', () => {
  test('one named thumbnail per layer and head; clicking selects it', () => {
    const rand = rng(1);
    const layers = [0, 1, 2].map(() => ({ probs: randomAttention(rand, 4, T, T), heads: 4, tq: T, tk: T }));
    const picked: { layer: number; head: number }[] = [];
    const { target } = mounted(render(HeadGrid, { layers, onselect: (s) => picked.push(s), selected: { layer: 2, head: 3 } }));
    const buttons = [...target.querySelectorAll('button')];
    expect(buttons.length).toBe(12);
    expect(buttons[5].getAttribute('aria-label')).toBe('Layer 2, head 2');
    expect(buttons[11].getAttribute('aria-pressed')).toBe('true');
    buttons[6].click();
    expect(picked).toEqual([{ layer: 1, head: 2 }]);
    expectAccessibleControls(target);
  });
});

describe('StepSlider', () => {
  test('next, previous and the range move between snapshot steps', () => {
    const seen: number[] = [];
    const { target } = mounted(render(StepSlider, { steps: [0, 100, 250, 1000], onchange: (s) => seen.push(s) }));
    const [prev, , next] = [...target.querySelectorAll('button')];
    next.click();
    flushSync();
    next.click();
    flushSync();
    prev.click();
    flushSync();
    const range = target.querySelector('input[type="range"]') as HTMLInputElement;
    range.value = '3';
    range.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    expect(seen).toEqual([100, 250, 100, 1000]);
    expect(target.querySelector('output')?.textContent).toBe('step 1000');
    expect(range.getAttribute('aria-valuetext')).toBe('step 1000 (4 of 4)');
    expectAccessibleControls(target);
  });
});

describe('ExportButtons and MetricChart controls', () => {
  test('export controls are named; a failing export is reported, not thrown', async () => {
    const { target } = mounted(render(ExportButtons, { svg: () => { throw new Error('no view'); }, filename: 'attention' }));
    expectAccessibleControls(target);
    (target.querySelector('button') as HTMLButtonElement).click();
    await Promise.resolve();
    flushSync();
    expect(target.querySelector('[role="alert"]')?.textContent).toContain('no view');
  });

  test('metric chart mounts with named log-scale, smoothing, PNG and SVG export controls', () => {
    const store = new MetricsStore();
    store.ingest(Array.from({ length: 5000 }, (_, i) => ({ step: i, split: 'train', name: 'loss', value: 5 / (1 + i), time: i })));
    const series = store.series('train', 'loss');
    if (!series) throw new Error('series missing');
    const { target } = mounted(render(MetricChart, { title: 'loss', lines: [{ label: 'train loss', series }], version: store.version }));
    expect(expectAccessibleControls(target)).toBe(4);
    expect([...target.querySelectorAll('button')].map((b) => b.getAttribute('aria-label'))).toEqual(['Export loss chart as PNG', 'Export loss chart as SVG']);
    expect(target.querySelector('[role="img"]')?.getAttribute('aria-label')).toBe('loss chart: train loss');
  });
});
