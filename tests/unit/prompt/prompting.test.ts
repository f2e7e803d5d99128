// Prompting a GPT to classify. References: label-word scores against log-softmax of a float64
// full-sequence forward (tests/unit/generate/reference-gpt.ts) over prompt + label; the few-shot
// prompt against a string written out by hand; metrics against counts by hand; calibration and
// length normalisation against the scores recomputed from those references.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KvDecoder, uploadWeights } from '../../../src/engine/generate';
import { GpuContext } from '../../../src/engine/gpu/device';
import { decoderConfig } from '../../../src/engine/model/config';
import {
  buildPrompt, classMetrics, evaluatePrompting, logSoftmax, matchLabel, readLabeledFile, scoreLabels, selectDemonstrations,
  type LabeledExample, type PromptFormat,
} from '../../../src/engine/prompt';
import { randomParams, referenceGptForward } from '../generate/reference-gpt';

// A character codec over a fixed alphabet: one token per character, so expected ids are obvious.
const ALPHABET = ' abcdefghijklmnopqrstuvwxyz:.!\n{}';
const codec = {
  encode: (t: string) => Array.from(t, (ch) => { const i = ALPHABET.indexOf(ch.toLowerCase()); if (i < 0) throw new Error(`no '${ch}'`); return i; }),
  decode: (ids: readonly number[]) => ids.map((i) => ALPHABET[i]).join(''),
};
const cfg = decoderConfig({ vocabSize: ALPHABET.length, nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 128, bias: true, dropout: 0 });
const params = randomParams(cfg, 5);

/** Σ log p(label | prompt) from the float64 reference forward of prompt + label. */
function referenceScore(prompt: number[], label: number[]): number {
  const ids = [...prompt, ...label];
  const logits = referenceGptForward(cfg, params, ids);
  const V = cfg.vocabSize;
  let s = 0;
  label.forEach((id, i) => {
    const row = Array.from(logits.subarray((prompt.length - 1 + i) * V, (prompt.length + i) * V));
    s += logSoftmax(row)[id];
  });
  return s;
}

let ctx: GpuContext;
let decoder: KvDecoder;
beforeAll(async () => {
  ctx = await GpuContext.open();
  decoder = new KvDecoder(ctx, uploadWeights(ctx, cfg, params), { ownsWeights: true, prefillRows: 8 });
});
afterAll(() => {
  decoder?.destroy();
  ctx?.destroy();
});

const format: PromptFormat = { template: 'review: {text}\nmood:', classes: ['0', '1'], words: [' bad', ' good'] };
const ex = (text: string, label: string, line: number): LabeledExample => ({ text, label, line });
const pool = [ex('dull', '0', 2), ex('grim', '0', 3), ex('awful', '0', 4), ex('fun', '1', 5), ex('nice', '1', 6), ex('great', '1', 7)];

describe('label-word likelihood', () => {
  test('scores equal the log-softmax of a direct full-sequence forward, with and without a shared prefix', async () => {
    const prefix = codec.encode('review: fun\nmood: good\n\n');
    const prompts = ['review: dull\nmood:', 'review: nice\nmood:'].map((q) => [...prefix, ...codec.encode(q)]);
    const labels = [codec.encode(' bad'), codec.encode(' good'), codec.encode(' ok')];
    let worst = 0;
    for (const [i, prompt] of prompts.entries()) {
      // The second prompt reuses the prefix the first one left in the cache.
      const got = await scoreLabels(decoder, prompt, labels, i === 0 ? 0 : prefix.length);
      expect(got.lengths).toEqual([4, 5, 3]);
      labels.forEach((label, l) => { worst = Math.max(worst, Math.abs(got.sums[l] - referenceScore(prompt, label))); });
    }
    console.log(`label scores vs float64 reference: max |Δ log p| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-4);
  });

  test('zero-shot predictions follow the scores; normalisation divides by length; calibration subtracts the content-free scores', async () => {
    const examples = [ex('dull', '0', 10), ex('nice', '1', 11), ex('grim', '1', 12)];
    const labels = format.words.map((w) => codec.encode(w));
    const prompts = examples.map((e) => codec.encode(`review: ${e.text}\nmood:`));
    const raw = prompts.map((p) => labels.map((l) => referenceScore(p, l)));
    const cfPrompt = codec.encode('review: n.a.\nmood:');
    const argmax = (v: number[]) => v.indexOf(Math.max(...v));
    for (const [normalize, calibrate] of [[false, false], [true, false], [false, true], [true, true]]) {
      const [r] = await evaluatePrompting(decoder, codec, examples, [], { format, normalize, calibrate, contentFree: 'n.a.' });
      const norm = (v: number[]) => (normalize ? v.map((s, i) => s / labels[i].length) : v);
      const cf = logSoftmax(norm(labels.map((l) => referenceScore(cfPrompt, l))));
      const want = raw.map((v) => argmax(calibrate ? logSoftmax(norm(v)).map((s, i) => s - cf[i]) : norm(v)));
      expect(r.predictions, `normalize ${normalize} calibrate ${calibrate}`).toEqual(want);
      expect(r.metrics.accuracy).toBeCloseTo(want.filter((p, i) => p === [0, 1, 1][i]).length / 3, 12);
      if (calibrate) expect(r.contentFreePrompt).toBe('review: n.a.\nmood:');
    }
  });

  test('generation plus matching: the class whose word the greedy text starts with', () => {
    expect(matchLabel('  good times', [' bad', ' good'])).toBe(1);
    expect(matchLabel(' badly', [' bad', ' good'])).toBe(0);
    expect(matchLabel(' meh', [' bad', ' good'])).toBe(-1);
    expect(matchLabel(' positive', [' pos', ' positive'])).toBe(1); // the longest word first
  });
});

describe('few-shot prompts', () => {
  test('the rendered prompt is exactly demonstrations, label words, separators, then the query', () => {
    const demos = [ex('fun', '1', 5), ex('dull', '0', 2)];
    const built = buildPrompt(codec, format, demos, 'nice', 1000);
    expect(built.text).toBe('review: fun\nmood: good\n\nreview: dull\nmood: bad\n\nreview: nice\nmood:');
    expect(built.ids).toEqual(codec.encode(built.text));
    expect(built.prefixLength).toBe(codec.encode('review: fun\nmood: good\n\nreview: dull\nmood: bad\n\n').length);
    expect(built.cut).toEqual([]);
  });

  test('too long for the context: the first demonstrations go, then the end of the text, and each cut is said', () => {
    const demos = [ex('fun', '1', 5), ex('dull', '0', 2)];
    const query = 'nice'; // 'review: nice\nmood:' is 18 tokens; each demonstration 23 or 24
    const one = buildPrompt(codec, format, demos, query, 18 + 24);
    expect(one.cut).toEqual(['dropped demonstration 1 of 2 (line 5, class 1, 24 tokens)']);
    expect(one.text).toBe('review: dull\nmood: bad\n\nreview: nice\nmood:');
    const none = buildPrompt(codec, format, demos, 'nice and fun', 16);
    expect(none.cut).toEqual(['dropped demonstration 1 of 2 (line 5, class 1, 24 tokens)', 'dropped demonstration 2 of 2 (line 2, class 0, 24 tokens)', "cut the input's last 10 of 12 characters"]);
    expect(none.text).toBe('review: ni\nmood:');
    expect(() => buildPrompt(codec, format, [], 'x', 5)).toThrow(/the template alone is 14 tokens, more than the 5/);
  });

  test('demonstrations: K per class, balanced, seeded; grouped or shuffled; too few refused', () => {
    const a = selectDemonstrations(pool, ['0', '1'], 2, 1);
    expect(a).toHaveLength(4);
    expect(a.filter((d) => d.label === '0')).toHaveLength(2);
    expect(selectDemonstrations(pool, ['0', '1'], 2, 1)).toEqual(a);
    const seeds = new Set([1, 2, 3, 4, 5, 6].map((s) => selectDemonstrations(pool, ['0', '1'], 2, s).map((d) => d.line).join()));
    expect(seeds.size).toBeGreaterThan(1);
    const grouped = selectDemonstrations(pool, ['0', '1'], 2, 1, 'grouped');
    expect(grouped.map((d) => d.label)).toEqual(['0', '0', '1', '1']);
    expect(() => selectDemonstrations(pool, ['0', '1'], 4, 1)).toThrow(/class '0' has 3 examples in the demonstration pool, K is 4/);
  });

  test('an accuracy-versus-K run: one result per (K, seed), the demonstrations named, the prompt of the first example shown', async () => {
    const examples = [ex('dull', '0', 10), ex('nice', '1', 11)];
    const r = await evaluatePrompting(decoder, codec, examples, pool, { format, shots: [0, 1, 2], seeds: [1, 2] });
    expect(r.map((x) => [x.k, x.seed])).toEqual([[0, 0], [1, 1], [1, 2], [2, 1], [2, 2]]);
    const k2 = r[3];
    expect(k2.demonstrations).toHaveLength(4);
    const demos = selectDemonstrations(pool, ['0', '1'], 2, 1);
    expect(k2.examplePrompt).toBe(buildPrompt(codec, format, demos, 'dull', 1000).text);
    // The prediction equals scoring that exact prompt from scratch.
    const labels = format.words.map((w) => codec.encode(w));
    const second = buildPrompt(codec, format, demos, 'nice', 1000).ids;
    const want = labels.map((l) => referenceScore(second, l));
    expect(k2.predictions[1]).toBe(want.indexOf(Math.max(...want)));
    expect(k2.cutExamples).toBe(0);
    // Demonstrations by hand, more than the context holds: every example loses the first ones, and says so.
    const [byHand] = await evaluatePrompting(decoder, codec, examples, [], { format, shots: [1], demonstrations: pool });
    expect(byHand.cutExamples).toBe(2);
    expect(byHand.cuts[0]).toMatch(/^line 10: dropped demonstration 1 of 6 \(line 2, class 0, 24 tokens\)/);
    expect(byHand.examplePrompt.length).toBeLessThan(buildPrompt(codec, format, pool, 'dull', 1000).text.length);
  });
});

describe('metrics and labeled files', () => {
  test('accuracy, per-class F1 and macro-F1 against counts by hand; unmatched predictions are wrong', () => {
    // truth 0 0 0 1 1 2, predicted 0 1 0 1 -1 2: class 0 tp2 fn1 fp0 → 0.8; class 1 tp1 fn1 fp1 → 0.5; class 2 → 1
    const m = classMetrics([0, 0, 0, 1, 1, 2], [0, 1, 0, 1, -1, 2], 3);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.f1).toEqual([0.8, 0.5, 1]);
    expect(m.macroF1).toBeCloseTo((0.8 + 0.5 + 1) / 3, 12);
    expect(m.unmatched).toBe(1);
    expect(m.confusion).toEqual([[2, 1, 0], [0, 1, 0], [0, 0, 1]]);
  });

  test('csv (quoted), tsv and jsonl rows with their lines; errors name file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'labeled-'));
    try {
      writeFileSync(join(dir, 'a.csv'), 'label,review\n1,"很好,吃"\n0,"太慢\n了"\n');
      expect(readLabeledFile(join(dir, 'a.csv'))).toEqual([ex('很好,吃', '1', 2), ex('太慢\n了', '0', 3)]);
      writeFileSync(join(dir, 'b.tsv'), 'sentence\tlabel\nit is "fine"\t1\n');
      expect(readLabeledFile(join(dir, 'b.tsv'))).toEqual([ex('it is "fine"', '1', 2)]);
      writeFileSync(join(dir, 'c.jsonl'), '{"text":"x","label":0}\n\n{"text":"y","label":1}\n');
      expect(readLabeledFile(join(dir, 'c.jsonl'))).toEqual([ex('x', '0', 1), ex('y', '1', 3)]);
      writeFileSync(join(dir, 'd.tsv'), 'sentence\tlabel\nok\t\n');
      expect(() => readLabeledFile(join(dir, 'd.tsv'))).toThrow(/d\.tsv:2: the label is empty/);
      writeFileSync(join(dir, 'e.csv'), 'text,stars\nx,1\n');
      expect(() => readLabeledFile(join(dir, 'e.csv'))).toThrow(/e\.csv:1: no label column 'label' in the header \(columns: text, stars\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
