import { describe, expect, test } from 'vitest';
import { MetricsStore, type MetricRecord } from '../../../src/renderer/lib/charts/metrics.svelte.ts';

describe('MetricsStore', () => {
  test('ingests batches into growing series, one version bump per batch', () => {
    const store = new MetricsStore();
    const batch: MetricRecord[] = [];
    for (let step = 1; step <= 3000; step++) {
      batch.push({ step, split: 'train', name: 'loss', value: 10 / step, time: step * 50 });
      if (step % 100 === 0) batch.push({ step, split: 'val', name: 'loss', value: 20 / step, time: step * 50 });
    }
    store.ingest(batch.slice(0, 1000));
    store.ingest(batch.slice(1000));
    expect(store.version).toBe(2);
    expect(store.keys).toEqual(['train/loss', 'val/loss']);
    const train = store.series('train', 'loss');
    expect(train?.length).toBe(3000);
    expect(train?.steps[2999]).toBe(3000);
    expect(train?.values[1499]).toBe(10 / 1500);
    expect(store.series('val', 'loss')?.length).toBe(30);
  });

  test('a resumed run that re-logs earlier steps replaces them', () => {
    const store = new MetricsStore();
    store.ingest([1, 2, 3, 4, 5].map((step) => ({ step, split: 'train', name: 'loss', value: step, time: 0 })));
    store.ingest([3, 4].map((step) => ({ step, split: 'train', name: 'loss', value: -step, time: 0 })));
    const s = store.series('train', 'loss');
    expect(s && [...s.steps.subarray(0, s.length)]).toEqual([1, 2, 3, 4]);
    expect(s && [...s.values.subarray(0, s.length)]).toEqual([1, 2, -3, -4]);
    expect(s?.epoch).toBe(1);
  });
});
