// A short CLM run on the sample corpus: the loss goes down, the run folder is complete and
// readable by Hugging Face tooling, events are batched, and generation from the folder is
// reproducible with a fixed seed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Tokenizer as NativeTokenizer } from 'tokenizers';
import { GpuContext } from '../../src/engine/gpu/device';
import { generateText, loadDecoder } from '../../src/engine/generate';
import { readSafetensors } from '../../src/engine/io/safetensors';
import { readMetrics } from '../../src/engine/runstore/metrics-log';
import { listCheckpoints } from '../../src/engine/runstore/checkpoints';
import { loadTokenizer } from '../../src/engine/tokenizers';
import { TrainingRun, type RunSummary, type TrainerEvent } from '../../src/engine/train/index.ts';
import { removeTempRunsDirs, tempRunsDir, tinyOptions } from './helpers';

let ctx: GpuContext;
let summary: RunSummary;
const events: TrainerEvent[] = [];

beforeAll(async () => {
  ctx = await GpuContext.open();
  const options = tinyOptions(tempRunsDir('folder'), { name: 'folder', steps: 40, sampleTokens: 24, evalEvery: 20 });
  summary = await new TrainingRun(ctx, { kind: 'new', options }, { onEvent: (e) => events.push(e), eventIntervalMs: 200 }).start();
});

afterAll(() => {
  ctx?.destroy();
  removeTempRunsDirs();
});

describe('a short CLM run', () => {
  test('finishes and the loss decreases', () => {
    expect(summary.state).toBe('finished');
    expect(summary.step).toBe(40);
    const losses = summary.losses.map((l) => l.loss);
    expect(losses).toHaveLength(40);
    const first = losses.slice(0, 3).reduce((a, b) => a + b) / 3;
    const last = losses.slice(-5).reduce((a, b) => a + b) / 5;
    console.log(`loss ${first.toFixed(3)} -> ${last.toFixed(3)}; val ${summary.evals.map((e) => `${e.step}:${e.valLoss.toFixed(3)}`).join(' ')}`);
    expect(last).toBeLessThan(first - 0.5);
    expect(summary.evals.map((e) => e.step)).toEqual([0, 20, 40]);
    expect(summary.evals[2].valLoss).toBeLessThan(summary.evals[0].valLoss - 0.3);
  });

  test('config.json has the Hugging Face GPT-2 keys and the resolved options', () => {
    const config = JSON.parse(readFileSync(join(summary.runDir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], n_positions: 32, n_embd: 32, n_layer: 1, n_head: 2, n_inner: 128,
      activation_function: 'gelu_new', layer_norm_epsilon: 1e-5, tie_word_embeddings: true,
    });
    const tok = JSON.parse(readFileSync(join(summary.runDir, 'tokenizer.json'), 'utf8'));
    expect(config.vocab_size).toBe(Object.keys(tok.model.vocab).length + tok.added_tokens.length);
    expect(config.pretrain_studio.options).toMatchObject({ steps: 40, nEmbd: 32, seed: 7, objective: 'clm' });
    expect(config.pretrain_studio.data.trainTokens).toBeGreaterThan(config.pretrain_studio.data.valTokens);
  });

  test('tokenizer.json loads in the tokenizers package with the same ids', async () => {
    const ours = await loadTokenizer(join(summary.runDir, 'tokenizer.json'));
    const native = NativeTokenizer.fromFile(join(summary.runDir, 'tokenizer.json'));
    const text = 'The cat sat on the mat. "Where is the key?" he asks.';
    const enc = await native.encode(text, null, { addSpecialTokens: false });
    expect(native.getVocabSize(true)).toBe(ours.vocabSize);
    expect(enc.getIds()).toEqual(ours.encode(text));
  });

  test('checkpoints hold GPT-2 names and shapes, optimizer state and the data position', () => {
    expect(listCheckpoints(summary.runDir)).toEqual([20, 30, 40]);
    const dir = join(summary.runDir, 'checkpoints', 'step-40');
    const model = readSafetensors(join(dir, 'model.safetensors')).tensors;
    const V = JSON.parse(readFileSync(join(summary.runDir, 'config.json'), 'utf8')).vocab_size;
    const shapes = Object.fromEntries([...model].map(([n, t]) => [n, t.shape]));
    expect(shapes).toEqual({
      'transformer.wte.weight': [V, 32], 'transformer.wpe.weight': [32, 32],
      'transformer.h.0.ln_1.weight': [32], 'transformer.h.0.attn.c_attn.weight': [32, 96], 'transformer.h.0.attn.c_proj.weight': [32, 32],
      'transformer.h.0.ln_2.weight': [32], 'transformer.h.0.mlp.c_fc.weight': [32, 128], 'transformer.h.0.mlp.c_proj.weight': [128, 32],
      'transformer.ln_f.weight': [32],
    });
    const opt = readSafetensors(join(dir, 'optimizer.safetensors')).tensors;
    expect(opt.get('step')!.data[0]).toBe(40);
    expect(opt.get('transformer.wte.weight.exp_avg_sq')!.shape).toEqual([V, 32]);
    expect([...opt.get('transformer.wte.weight.exp_avg_sq')!.data].some((x) => x > 0)).toBe(true);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    expect(state).toMatchObject({ step: 40, optimizerStep: 40, data: { seed: 7, nextDraw: 40 } });
    expect(existsSync(join(summary.runDir, 'data', 'shards.json'))).toBe(true);
  });

  test('metrics.jsonl: every step once, in order, and the evaluations', () => {
    const records = readMetrics(join(summary.runDir, 'metrics.jsonl'));
    const train = records.filter((r) => r.split === 'train');
    expect(train.map((r) => r.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    for (const r of train) expect(Number.isFinite(r.loss) && Number.isFinite(r.lr) && Number.isFinite(r.gradNorm)).toBe(true);
    expect(records.filter((r) => r.split === 'val').map((r) => r.step)).toEqual([0, 20, 40]);
  });

  test('events: batched metrics, evaluations, samples, checkpoints, final state', () => {
    const metrics = events.filter((e) => e.type === 'run.metrics');
    expect(metrics.length).toBeGreaterThan(0);
    expect(metrics.length).toBeLessThan(40); // batched, not one per step
    expect(metrics.flatMap((e) => (e.type === 'run.metrics' ? e.records.map((r) => r.step) : []))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const samples = events.filter((e) => e.type === 'run.sample');
    expect(samples).toHaveLength(3);
    for (const s of samples) if (s.type === 'run.sample') expect(s.text.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'run.checkpoint').map((e) => (e.type === 'run.checkpoint' ? e.step : 0))).toEqual([10, 20, 30, 40]);
    expect(events.at(-1)).toMatchObject({ type: 'run.state', state: 'finished', step: 40 });
  });

  test('generation from the run folder is reproducible with a fixed seed, and top-k 1 is greedy', async () => {
    const config = JSON.parse(readFileSync(join(summary.runDir, 'config.json'), 'utf8'));
    const tok = await loadTokenizer(join(summary.runDir, 'tokenizer.json'));
    const decoder = loadDecoder(ctx, config.pretrain_studio.model, join(summary.runDir, 'checkpoints', 'step-40', 'model.safetensors'));
    const codec = { encode: (t: string) => tok.encode(t), decode: (ids: readonly number[]) => tok.decode(ids) };
    const run = (o: object) => generateText(decoder, codec, { prompt: 'The cat', maxNewTokens: 30, ...o });
    const a = await run({ seed: 11, temperature: 1 });
    const b = await run({ seed: 11, temperature: 1 });
    expect(a.tokens).toHaveLength(30);
    expect(b.tokens).toEqual(a.tokens);
    const greedy = await run({ temperature: 0, seed: 1 });
    const topk1 = await run({ topK: 1, seed: 2 });
    expect(topk1.tokens).toEqual(greedy.tokens);
    decoder.destroy();
  });
});
