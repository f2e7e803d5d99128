// The Attention page's pure helpers for the head table, compare and encoder-decoder parts:
// sorting heads, choosing a compare side, a part's maps and tokens, and the diverging colour scale.
import { describe, expect, test } from 'vitest';
import type { HeadStatResult } from '../../../src/protocol/commands/attention-heads.ts';
import type { AttentionResult } from '../../../src/protocol/commands/attention-types.ts';
import { isDiverging, maxAbsOf, scaleRgb } from '../../../src/renderer/lib/attention/colors.ts';
import { compareSource } from '../../../src/renderer/state/attention-compare.svelte.ts';
import { sortHeads } from '../../../src/renderer/state/attention-heads.svelte.ts';
import { layersOf, partTokens } from '../../../src/renderer/state/attention.svelte.ts';

const heads: HeadStatResult[] = [
  { layer: 0, head: 0, entropy: 1.5, distance: 2, cls: 0.1, sep: null, first: 0.3 },
  { layer: 0, head: 1, entropy: 0.5, distance: 4, cls: 0.4, sep: null, first: 0.1 },
  { layer: 1, head: 0, entropy: 1.5, distance: 1, cls: null, sep: null, first: 0.2 },
];

describe('head table', () => {
  test('sorts by a statistic either way, ties in layer/head order, null shares last', () => {
    const ids = (rows: HeadStatResult[]) => rows.map((h) => `${h.layer}.${h.head}`);
    expect(ids(sortHeads(heads, 'entropy', true))).toEqual(['0.0', '1.0', '0.1']);
    expect(ids(sortHeads(heads, 'entropy', false))).toEqual(['0.1', '0.0', '1.0']);
    expect(ids(sortHeads(heads, 'distance', true))).toEqual(['0.1', '0.0', '1.0']);
    expect(ids(sortHeads(heads, 'cls', true))).toEqual(['0.1', '0.0', '1.0']);
    expect(ids(sortHeads(heads, 'cls', false))).toEqual(['0.0', '0.1', '1.0']);
    expect(ids(sortHeads(heads, 'layer', true))).toEqual(['1.0', '0.1', '0.0']);
  });
});

describe('compare', () => {
  test('a side becomes a source once its run and step are chosen', () => {
    expect(compareSource({ runDir: '', at: '' }, 'A')).toBe('Choose the run of A.');
    expect(compareSource({ runDir: '/r', at: '' }, 'B')).toBe('Choose the step of B.');
    expect(compareSource({ runDir: '/r', at: 'snapshot:20' }, 'A')).toEqual({ kind: 'snapshot', runDir: '/r', step: 20 });
    expect(compareSource({ runDir: '/r', at: 'checkpoint:5' }, 'A')).toEqual({ kind: 'checkpoint', runDir: '/r', step: 5 });
  });

  test('the diverging scale: white at 0, blue below, red above; maxAbs', () => {
    expect(isDiverging('rdbu')).toBe(true);
    expect(scaleRgb(0, 'rdbu')).toEqual([247, 247, 247]);
    const [r1, , b1] = scaleRgb(-1, 'rdbu');
    const [r2, , b2] = scaleRgb(1, 'rdbu');
    expect(b1).toBeGreaterThan(r1);
    expect(r2).toBeGreaterThan(b2);
    expect(scaleRgb(0, 'viridis')).toEqual([68, 1, 84]); // other scales unchanged
    expect(maxAbsOf([0.1, -0.3, 0.2])).toBeCloseTo(0.3);
  });
});

describe('encoder-decoder parts', () => {
  const H = 2, ts = 3, tt = 2;
  const fill = (n: number, v: number) => new Float32Array(n).fill(v);
  const result: AttentionResult = {
    step: 1, nLayer: 1, nHead: H, scheme: 'plain', kind: 'encoder-decoder',
    sentences: [{
      text: 'abc', ids: [1, 2, 3], tokens: ['[CLS]', 'a', '[SEP]'], layers: [fill(H * ts * ts, 1)],
      target: { ids: [1, 2], tokens: ['[CLS]', 'a'] }, decoder: [fill(H * tt * tt, 2)], cross: [fill(H * tt * ts, 3)],
    }],
  };
  test('each part has its own shape: encoder [ts, ts], decoder [tt, tt], cross [tt, ts]', () => {
    expect(layersOf(result, 0, 'encoder')[0]).toMatchObject({ tq: ts, tk: ts, heads: H });
    expect(layersOf(result, 0, 'decoder')[0]).toMatchObject({ tq: tt, tk: tt });
    expect(layersOf(result, 0, 'cross')[0]).toMatchObject({ tq: tt, tk: ts });
    expect(layersOf(result, 0, 'cross')[0].probs[0]).toBe(3);
    expect(partTokens(['s1', 's2'], ['t1'], 'cross')).toEqual({ query: ['t1'], key: ['s1', 's2'] });
    expect(partTokens(['s1'], undefined, 'cross')).toEqual({ query: ['s1'], key: ['s1'] }); // not an encoder-decoder
  });
});
