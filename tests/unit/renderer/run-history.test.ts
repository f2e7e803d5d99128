// The renderer's side of run metrics: metrics.jsonl records → chart series (train perplexity
// derived, non-metrics and non-finite values left out), and a long history read page by page.
import { expect, test } from 'vitest';
import type { StudioApi } from '../../../src/renderer/api/index.ts';
import { MetricsStore } from '../../../src/renderer/lib/charts/metrics.svelte.ts';
import { chartRecords, loadHistory } from '../../../src/renderer/state/runs.svelte.ts';

test('records become one chart point per named number; train perplexity is exp(loss)', () => {
  const out = chartRecords([
    { step: 3, time: 10, split: 'train', loss: 2, lr: 0.001, gradNorm: Number.NaN, elapsedMs: 5, note: 'x' },
    { step: 3, time: 11, split: 'val', valLoss: 2.5, valPerplexity: Math.exp(2.5), evalMs: 7 },
  ]);
  expect(out.map((r) => `${r.split}/${r.name}`)).toEqual(['train/loss', 'train/perplexity', 'train/lr', 'val/valLoss', 'val/valPerplexity']);
  expect(out[1].value).toBeCloseTo(Math.exp(2), 12);
  expect(out.every((r) => r.step === 3)).toBe(true);
});

test('loadHistory reads every page of run.history into the store', async () => {
  const total = 9500;
  const calls: { offset: number; limit: number }[] = [];
  const api = {
    call: async (type: string, params: { runDir: string; offset: number; limit: number }) => {
      expect(type).toBe('run.history');
      calls.push({ offset: params.offset, limit: params.limit });
      const end = Math.min(total, params.offset + params.limit);
      const records = Array.from({ length: end - params.offset }, (_, i) => ({ step: params.offset + i + 1, time: 0, split: 'train', loss: 1 / (params.offset + i + 1) }));
      return { records, total, next: end < total ? end : null };
    },
  } as unknown as StudioApi;
  const store = new MetricsStore();
  expect(await loadHistory(api, 'runs/x', store)).toBe(total);
  expect(calls.length).toBe(Math.ceil(total / calls[0].limit));
  const loss = store.series('train', 'loss')!;
  expect(loss.length).toBe(total);
  expect(loss.steps[total - 1]).toBe(total);
  expect(loss.values[0]).toBe(1);
});
