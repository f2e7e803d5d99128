// Sampling on the CPU: greedy equivalences, the top-k / top-p candidate sets, repetition penalty
// direction, draws that follow the distribution, and seeded reproducibility.
import { describe, expect, test } from 'vitest';
import { SeededRng } from '../../../src/engine/generate/rng';
import { applyRepetitionPenalty, argmax, resolveSampling, Sampler, type SamplingOptions } from '../../../src/engine/generate/sampling';
import { testRng } from './reference-gpt';

const rand = testRng(42);
const randomLogits = (V: number, scale = 3) => Float32Array.from({ length: V }, () => (rand() * 2 - 1) * scale);
/** Logits whose softmax is exactly `probs`. */
const logitsOf = (probs: number[]) => Float32Array.from(probs, Math.log);

function draws(logits: Float32Array, options: SamplingOptions, n: number, seed = 1, context: number[] = []): number[] {
  const s = new Sampler(options, new SeededRng(seed));
  return Array.from({ length: n }, () => s.sample(logits, context));
}

describe('greedy', () => {
  test('top-k = 1 and temperature 0 both give the argmax, for any seed', () => {
    for (let trial = 0; trial < 20; trial++) {
      const logits = randomLogits(1 + Math.floor(rand() * 300));
      const best = argmax(logits);
      expect(draws(logits, { topK: 1, temperature: 1.3 }, 5, trial)).toEqual(Array(5).fill(best));
      expect(draws(logits, { temperature: 0 }, 5, trial + 100)).toEqual(Array(5).fill(best));
    }
  });

  test('a temperature near 0 samples the argmax too (the limit agrees with greedy)', () => {
    const logits = randomLogits(50);
    expect(new Set(draws(logits, { temperature: 1e-4 }, 200))).toEqual(new Set([argmax(logits)]));
  });

  test('argmax breaks ties toward the lowest id', () => {
    expect(argmax([1, 5, 5, 2])).toBe(1);
    expect(argmax([NaN, 1, 0])).toBe(1);
  });
});

describe('candidate sets', () => {
  test('top-k draws only among the k most likely tokens, and reaches each of them', () => {
    const logits = randomLogits(40);
    const top5 = [...logits.keys()].sort((a, b) => logits[b] - logits[a]).slice(0, 5);
    expect(new Set(draws(logits, { topK: 5, temperature: 2 }, 3000))).toEqual(new Set(top5));
  });

  test('top-p keeps the smallest most-likely set whose probability reaches p', () => {
    const probs = [0.05, 0.5, 0.15, 0.3];
    const logits = logitsOf(probs);
    expect(new Set(draws(logits, { topP: 0.5 }, 500))).toEqual(new Set([1])); // 0.5 reaches 0.5
    expect(new Set(draws(logits, { topP: 0.79 }, 2000))).toEqual(new Set([1, 3])); // 0.8
    expect(new Set(draws(logits, { topP: 0.81 }, 3000))).toEqual(new Set([1, 3, 2])); // 0.95
    expect(new Set(draws(logits, { topP: 1 }, 5000))).toEqual(new Set([0, 1, 2, 3]));
    // top-k applies first: with k = 1 top-p has nothing left to drop
    expect(new Set(draws(logits, { topK: 2, topP: 0.99 }, 2000))).toEqual(new Set([1, 3]));
  });

  test('equal probabilities: top-k keeps the lowest ids, so a seeded draw does not depend on sort stability', () => {
    const flat = new Float32Array(1000).fill(0.5);
    expect(new Set(draws(flat, { topK: 3 }, 500))).toEqual(new Set([0, 1, 2]));
    expect(new Set(draws(flat, { topP: 0.0025 }, 500))).toEqual(new Set([0, 1, 2])); // 3 × 0.001 reaches it
  });

  test('draws follow the (renormalized) distribution', () => {
    const probs = [0.1, 0.2, 0.3, 0.4];
    const n = 20000;
    const counts = [0, 0, 0, 0];
    for (const t of draws(logitsOf(probs), {}, n)) counts[t]++;
    counts.forEach((c, i) => expect(Math.abs(c / n - probs[i])).toBeLessThan(0.015));
    // after top-p 0.65 only {3, 2} remain with 0.4 / 0.7 and 0.3 / 0.7
    const kept = [0, 0, 0, 0];
    for (const t of draws(logitsOf(probs), { topP: 0.65 }, n)) kept[t]++;
    expect(kept[0] + kept[1]).toBe(0);
    expect(Math.abs(kept[3] / n - 4 / 7)).toBeLessThan(0.015);
  });

  test('temperature sharpens (< 1) and flattens (> 1)', () => {
    const logits = logitsOf([0.6, 0.4]);
    const share = (temperature: number) => draws(logits, { temperature }, 4000).filter((t) => t === 0).length / 4000;
    expect(share(0.5)).toBeGreaterThan(0.65); // 0.36 / (0.36 + 0.16) = 0.69
    expect(share(2)).toBeLessThan(0.57); // sqrt: 0.55
  });
});

describe('repetition penalty', () => {
  test('divides positive logits, multiplies negative ones, once per distinct token in the context', () => {
    const l = Float32Array.from([2, -2, 1, 0.5]);
    applyRepetitionPenalty(l, [0, 1, 1, 0, 9], 2);
    expect([...l]).toEqual([1, -4, 1, 0.5]);
  });

  test('makes a seen token less likely and can change the greedy choice', () => {
    const logits = Float32Array.from([3, 2.5, -1]);
    expect(draws(logits, { temperature: 0 }, 1, 1, [0])).toEqual([0]);
    expect(draws(logits, { temperature: 0, repetitionPenalty: 1.5 }, 1, 1, [0])).toEqual([1]); // 3 / 1.5 = 2 < 2.5
    const share = (penalty: number) => draws(logits, { repetitionPenalty: penalty }, 3000, 5, [0]).filter((t) => t === 0).length;
    expect(share(1.3)).toBeLessThan(share(1));
  });
});

describe('seeded randomness', () => {
  test('a fixed seed reproduces the draws exactly; different seeds differ', () => {
    const logits = randomLogits(100, 1);
    const opts = { temperature: 0.9, topK: 50, topP: 0.95 };
    expect(draws(logits, opts, 200, 1234)).toEqual(draws(logits, opts, 200, 1234));
    expect(draws(logits, opts, 200, 1234)).not.toEqual(draws(logits, opts, 200, 1235));
  });

  test('the generator is xoshiro128** (reference vector), uniform, and seeds use all 53 bits', () => {
    // State {1, 2, 3, 4}: the first outputs of the reference C implementation.
    const ref = SeededRng.fromState(1, 2, 3, 4);
    expect([ref.nextU32(), ref.nextU32(), ref.nextU32(), ref.nextU32()]).toEqual([11520, 0, 5927040, 70819200]);
    const rng = new SeededRng(7);
    const first = [rng.nextU32(), rng.nextU32(), rng.nextU32()];
    const again = new SeededRng(7);
    expect([again.nextU32(), again.nextU32(), again.nextU32()]).toEqual(first);
    const r = new SeededRng(2 ** 40 + 3);
    const bins = new Array(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 50000; i++) {
      const u = r.nextFloat();
      if (!(u >= 0 && u < 1)) outside++;
      else bins[Math.floor(u * 10)]++;
    }
    expect(outside).toBe(0);
    for (const b of bins) expect(Math.abs(b / 50000 - 0.1)).toBeLessThan(0.01);
    expect(new SeededRng(2 ** 40 + 3).nextU32()).not.toBe(new SeededRng(3).nextU32());
  });
});

test('bad options are refused, naming the option', () => {
  expect(() => resolveSampling({ temperature: -1 })).toThrow(/temperature/);
  expect(() => resolveSampling({ topK: 1.5 })).toThrow(/topK/);
  expect(() => resolveSampling({ topP: 0 })).toThrow(/topP/);
  expect(() => resolveSampling({ repetitionPenalty: 0 })).toThrow(/repetitionPenalty/);
  expect(() => new SeededRng(0.5)).toThrow(/seed/);
});
