import { describe, expect, test } from 'vitest';
import { SnapshotStore } from '../../../src/renderer/lib/attention/snapshots.svelte.ts';
import { attentionView } from '../../../src/renderer/lib/attention/view.ts';
import { randomAttention, rng } from './random.ts';

const tokens = [{ text: '[CLS]', special: true }, { text: '你' }, { text: '好' }, { text: 'world' }, { text: '[SEP]', special: true }];
const T = tokens.length;

describe('attentionView', () => {
  const rand = rng(21);
  const layers = [0, 1].map(() => ({ probs: randomAttention(rand, 3, T, T), heads: 3, tq: T, tk: T }));

  test('one head with specials shown is the engine map itself', () => {
    const v = attentionView({ layers, layer: 1, head: 2, queryTokens: tokens, hideSpecials: false });
    expect(v.rowTokens).toEqual(['[CLS]', '你', '好', 'world', '[SEP]']);
    expect(Array.from(v.matrix.values)).toEqual([...layers[1].probs.subarray(2 * T * T, 3 * T * T)]);
  });

  test('hiding specials drops their rows and columns and renormalizes; mean and rollout rows sum to 1', () => {
    for (const head of [0, 'mean', 'rollout'] as const) {
      const v = attentionView({ layers, layer: 0, head, queryTokens: tokens, hideSpecials: true });
      expect(v.rowTokens).toEqual(['你', '好', 'world']);
      expect(v.colTokens).toEqual(v.rowTokens);
      for (let i = 0; i < 3; i++) {
        let sum = 0;
        for (let j = 0; j < 3; j++) sum += v.matrix.values[i * 3 + j];
        expect(sum).toBeCloseTo(1, 5);
      }
    }
    const mean = attentionView({ layers, layer: 0, head: 'mean', queryTokens: tokens, hideSpecials: false });
    const k = 1 * T + 3;
    const want = (layers[0].probs[k] + layers[0].probs[T * T + k] + layers[0].probs[2 * T * T + k]) / 3;
    expect(mean.matrix.values[k]).toBeCloseTo(want, 6);
  });

  test('cross attention keeps encoder tokens on the columns', () => {
    const enc = [{ text: '<s>', special: true }, { text: 'a' }, { text: 'b' }];
    const cross = [{ probs: randomAttention(rng(3), 2, T, enc.length), heads: 2, tq: T, tk: enc.length }];
    const v = attentionView({ layers: cross, layer: 0, head: 1, queryTokens: tokens, keyTokens: enc, hideSpecials: true });
    expect([v.matrix.rows, v.matrix.cols]).toEqual([3, 2]);
    expect(v.colTokens).toEqual(['a', 'b']);
    expect(() => attentionView({ layers: cross, layer: 0, head: 'rollout', queryTokens: tokens, keyTokens: enc, hideSpecials: false })).toThrow(/square/);
    expect(() => attentionView({ layers: cross, layer: 0, head: 0, queryTokens: tokens, hideSpecials: false })).toThrow(/5x3 but there are 5 query and 5 key/);
  });
});

describe('SnapshotStore', () => {
  test('keeps steps sorted and finds the snapshot at or before a step', () => {
    const store = new SnapshotStore();
    const snap = (step: number) => ({ step, tokens: [{ text: 'a' }], layers: [{ probs: new Float32Array([1]), heads: 1, tq: 1, tk: 1 }] });
    for (const step of [200, 0, 100]) store.add(snap(step));
    store.add(snap(100)); // a re-run replaces, never duplicates
    expect(store.steps).toEqual([0, 100, 200]);
    expect(store.atOrBefore(150)?.step).toBe(100);
    expect(store.atOrBefore(-1)).toBeUndefined();
    expect(store.at(200)?.step).toBe(200);
  });
});
