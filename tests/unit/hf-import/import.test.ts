// Importing Hugging Face checkpoint folders (tests/fixtures/hf, written with the reference logits by
// scripts/goldens/make_hf_import.py in float64 PyTorch following transformers' names and math):
// the imported run must give the reference logits (≤ 1e-4) through the engine's own inference
// paths (the KV-cache decoder for GPT-2, the fill-mask encoder for BERT), its tokenizer the ids of
// Hugging Face's `tokenizers`, a re-import of the run's own files must be bit-identical, and the
// refusals must name what is wrong.
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer as NativeTokenizer } from 'tokenizers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDecoder } from '../../../src/engine/generate';
import { GpuContext } from '../../../src/engine/gpu/device';
import { withBindingLimit } from '../binding-limit';
import { importHfCheckpoint } from '../../../src/engine/hf-import';
import { EncoderForward } from '../../../src/engine/inspect/fill-mask';
import { readSafetensors, serializeSafetensors, type SafeTensor } from '../../../src/engine/io/safetensors';
import { buildParamLayout } from '../../../src/engine/model/params';
import { loadTokenizer } from '../../../src/engine/tokenizers';
import { deserializeModel, readRunConfig } from '../../../src/engine/train';

const FIX = new URL('../../fixtures/hf/', import.meta.url).pathname;
let ctx: GpuContext;
let work: string;
beforeAll(async () => {
  ctx = await GpuContext.open();
  work = mkdtempSync(join(tmpdir(), 'hf-import-'));
});
afterAll(() => {
  ctx?.destroy();
  rmSync(work, { recursive: true, force: true });
});

const reference = (name: string) => readSafetensors(join(FIX, `${name}.reference.safetensors`)).tensors;
const modelFile = (run: string) => join(run, 'checkpoints', 'step-0', 'model.safetensors');

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('GPT-2 (GPT2LMHeadModel as the Hub stores it: no prefix, mask buffers, vocab.json + merges.txt)', () => {
  let run: string;
  beforeAll(async () => {
    run = join(work, 'gpt2');
    const s = await importHfCheckpoint({ from: join(FIX, 'gpt2'), into: run });
    expect(s.architecture).toBe('GPT2LMHeadModel');
    expect(s.objective).toBe('clm');
    expect(s.initialised).toEqual([]);
    expect(s.ignored.map((i) => i.name).sort()).toEqual(['h.0.attn.bias', 'h.0.attn.masked_bias', 'h.1.attn.bias', 'h.1.attn.masked_bias']);
  });

  test('the KV-cache decoder gives PyTorch reference logits at every position (≤ 1e-4)', async () => {
    const ref = reference('gpt2');
    const ids = Array.from(ref.get('ids')!.data);
    const want = ref.get('logits')!.data;
    const model = readRunConfig(run).pretrain_studio.model;
    const V = model.vocabSize;
    const decoder = loadDecoder(ctx, model, modelFile(run));
    let worst = 0;
    try {
      for (let t = 0; t < ids.length; t++) {
        const got = await decoder.feed([ids[t]]);
        worst = Math.max(worst, maxDiff(got, want.slice(t * V, (t + 1) * V)));
      }
    } finally {
      decoder.destroy();
    }
    console.log(`gpt2 import: max |logit - PyTorch| = ${worst.toExponential(2)} over ${ids.length} positions × ${V}`);
    expect(worst).toBeLessThanOrEqual(1e-4);
  });

  test("a token table past the adapter's binding limit is read in row ranges: the same logits", async () => {
    // The same context with a 16 KiB binding limit: the 270 x 32 embedding (33.8 KiB) is past it,
    // as GPT-2 small's 50257 x 768 (154 MB) is past lavapipe's 128 MiB.
    const small = withBindingLimit(ctx, 16384);
    const ref = reference('gpt2');
    const ids = Array.from(ref.get('ids')!.data);
    const want = ref.get('logits')!.data;
    const model = readRunConfig(run).pretrain_studio.model;
    const V = model.vocabSize;
    const whole = loadDecoder(ctx, model, modelFile(run));
    const split = loadDecoder(small, model, modelFile(run));
    let worst = 0, apart = 0;
    try {
      for (let t = 0; t < ids.length; t++) {
        const a = await whole.feed([ids[t]]);
        const b = await split.feed([ids[t]]);
        apart = Math.max(apart, maxDiff(a, b));
        worst = Math.max(worst, maxDiff(b, want.slice(t * V, (t + 1) * V)));
      }
    } finally {
      whole.destroy();
      split.destroy();
    }
    expect(apart).toBe(0);
    expect(worst).toBeLessThanOrEqual(1e-4);
  });

  test('the tokenizer keeps the BPE ids, and Hugging Face tokenizers reads the file with the same ids', async () => {
    const tok = await loadTokenizer(join(run, 'tokenizer.json'));
    const vocab = JSON.parse(readFileSync(join(FIX, 'gpt2', 'vocab.json'), 'utf8')) as Record<string, number>;
    const text = 'The cat sat on the mat<|endoftext|> café';
    const ids = tok.encode(text);
    expect(ids.slice(0, 7)).toEqual(['The', 'Ġcat', 'Ġsat', 'Ġon', 'Ġthe', 'Ġmat', '<|endoftext|>'].map((t) => vocab[t]));
    expect(tok.decode(ids)).toBe(text);
    const native = NativeTokenizer.fromFile(join(run, 'tokenizer.json'));
    expect((await native.encode(text, null, { addSpecialTokens: false })).getIds()).toEqual(ids);
  });
});

describe('BERT (BertForPreTraining as bert-base-chinese stores it: gamma/beta, position_ids, tokenizer.json)', () => {
  let run: string;
  beforeAll(async () => {
    run = join(work, 'bert');
    const s = await importHfCheckpoint({ from: join(FIX, 'bert'), into: run });
    expect(s.objective).toBe('mlm+nsp'); // it has a pooler and an NSP head
    expect(s.initialised).toEqual([]);
    expect(s.ignored.map((i) => i.name)).toEqual(['bert.embeddings.position_ids']);
  });

  test('the fill-mask encoder gives PyTorch reference MLM and NSP logits (≤ 1e-4)', async () => {
    const ref = reference('bert');
    const ids = Array.from(ref.get('ids')!.data);
    const types = Array.from(ref.get('types')!.data);
    const want = ref.get('logits')!.data;
    const model = readRunConfig(run).pretrain_studio.model;
    expect(model.activation).toBe('gelu');
    const V = model.vocabSize;
    const enc = new EncoderForward(ctx, model, deserializeModel(buildParamLayout(model), readFileSync(modelFile(run))).params);
    try {
      const got = await enc.run(ids, types, ids.map((_, i) => i));
      const worst = Math.max(...got.logits.map((row, t) => maxDiff(row, want.slice(t * V, (t + 1) * V))));
      const nsp = maxDiff(got.nsp!, ref.get('nsp')!.data);
      console.log(`bert import: max |logit - PyTorch| = ${worst.toExponential(2)} (MLM, ${ids.length} positions × ${V}), ${nsp.toExponential(2)} (NSP)`);
      expect(worst).toBeLessThanOrEqual(1e-4);
      expect(nsp).toBeLessThanOrEqual(1e-4);
    } finally {
      enc.destroy();
    }
  });

  test('the tokenizer gives the ids of Hugging Face tokenizers on the original tokenizer.json', async () => {
    const tok = await loadTokenizer(join(run, 'tokenizer.json'));
    const native = NativeTokenizer.fromFile(join(FIX, 'bert', 'tokenizer.json'));
    for (const [a, b] of [['这家店的菜很好吃!', '送餐太慢了'], ['good food, bad service.', '我喜欢[MASK]']]) {
      const ours = tok.encodeWithSpecials(a, b);
      const theirs = await native.encode(a, b);
      expect(ours.ids).toEqual(theirs.getIds());
      expect(ours.typeIds).toEqual(theirs.getTypeIds());
    }
  });

  test("re-importing the run's own files (config.json, tokenizer.json, model.safetensors) is bit-identical", async () => {
    const folder = join(work, 'bert-export');
    cpSync(join(run, 'config.json'), join(folder, 'config.json'));
    copyFileSync(join(run, 'tokenizer.json'), join(folder, 'tokenizer.json'));
    copyFileSync(modelFile(run), join(folder, 'model.safetensors'));
    const again = join(work, 'bert-again');
    await importHfCheckpoint({ from: folder, into: again });
    expect(Buffer.compare(readFileSync(modelFile(again)), readFileSync(modelFile(run)))).toBe(0);
    expect(readFileSync(join(again, 'tokenizer.json'), 'utf8')).toBe(readFileSync(join(run, 'tokenizer.json'), 'utf8'));
  });
});

describe('the same tensors spelled as other savers spell them', () => {
  /** The fixture's tensors renamed / dropped by `edit`, written into a copy of the folder. */
  function respelled(name: string, edit: (t: Map<string, SafeTensor>) => Map<string, SafeTensor>): string {
    const dir = mkdtempSync(join(work, `${name}-spelled-`));
    cpSync(join(FIX, name), dir, { recursive: true });
    const file = readSafetensors(join(dir, 'model.safetensors'));
    writeFileSync(join(dir, 'model.safetensors'), serializeSafetensors(edit(file.tensors)));
    return dir;
  }
  const base = async (name: string) => {
    const run = join(mkdtempSync(join(work, 'base-')), name);
    await importHfCheckpoint({ from: join(FIX, name), into: run });
    return readFileSync(modelFile(run));
  };

  test("GPT-2 from save_pretrained (transformer. prefix, the tied lm_head stored)", async () => {
    const from = respelled('gpt2', (t) => new Map([
      ...[...t].map(([n, v]) => [n.startsWith('h.') || n.startsWith('w') || n.startsWith('ln_f') ? `transformer.${n}` : n, v] as const),
      ['lm_head.weight', t.get('wte.weight')!],
    ]));
    const run = join(work, 'gpt2-prefixed');
    const s = await importHfCheckpoint({ from, into: run });
    expect(s.ignored.map((i) => i.why)).toContain('tied copy of the token embeddings');
    expect(Buffer.compare(readFileSync(modelFile(run)), await base('gpt2'))).toBe(0);
    // A differing lm_head under tie_word_embeddings is refused, not silently dropped.
    const differs = respelled('gpt2', (t) => new Map([...t, ['lm_head.weight', { ...t.get('wte.weight')!, data: new Float32Array(t.get('wte.weight')!.data.length) }]]));
    await expect(importHfCheckpoint({ from: differs, into: join(work, 'gpt2-differs') })).rejects.toThrow(/'lm_head\.weight' differs from 'wte\.weight' although config\.json ties them/);
  });

  test('BertModel (no bert. prefix, no heads): the heads are initialised and listed; BertForMaskedLM without a pooler is mlm', async () => {
    const bare = respelled('bert', (t) => new Map([...t].filter(([n]) => !n.startsWith('cls.')).map(([n, v]) => [n.replace(/^bert\./, ''), v])));
    const s = await importHfCheckpoint({ from: bare, into: join(work, 'bert-bare') });
    expect(s.objective).toBe('mlm+nsp');
    expect(s.initialised).toContain('cls.predictions.transform.dense.weight');
    expect(s.initialised).toContain('cls.seq_relationship.weight');
    const mlm = respelled('bert', (t) => new Map([...t].filter(([n]) => !n.startsWith('bert.pooler') && !n.startsWith('cls.seq_relationship'))));
    const m = await importHfCheckpoint({ from: mlm, into: join(work, 'bert-mlm') });
    expect(m.objective).toBe('mlm');
    expect(m.initialised).toEqual([]);
    expect(readRunConfig(join(work, 'bert-mlm')).pretrain_studio.model.pooler).toBe(false);
  });
});

describe('refusals name the architecture and the missing piece', () => {
  /** A copy of a fixture folder, changed by `edit`. */
  function variant(name: string, edit: (dir: string) => void): string {
    const dir = mkdtempSync(join(work, `${name}-`));
    cpSync(join(FIX, name), dir, { recursive: true });
    edit(dir);
    return dir;
  }
  const into = () => join(mkdtempSync(join(work, 'run-')), 'r');

  test('a T5 config', async () => {
    const from = variant('gpt2', (d) => writeFileSync(join(d, 'config.json'), JSON.stringify({ architectures: ['T5ForConditionalGeneration'], model_type: 't5', d_model: 32 })));
    await expect(importHfCheckpoint({ from, into: into() })).rejects.toThrow(/architecture T5ForConditionalGeneration \(model_type 't5'\) is not one import reads; it reads GPT2LMHeadModel/);
  });

  test('a missing tensor', async () => {
    const from = variant('bert', (d) => {
      const file = readSafetensors(join(d, 'model.safetensors'));
      file.tensors.delete('bert.encoder.layer.1.output.dense.weight');
      writeFileSync(join(d, 'model.safetensors'), serializeSafetensors(file.tensors));
    });
    await expect(importHfCheckpoint({ from, into: into() })).rejects.toThrow(/BertForMaskedLM body tensor bert\.encoder\.layer\.1\.output\.dense\.weight missing/);
  });

  test('a shape that differs from config.json', async () => {
    const from = variant('gpt2', (d) => {
      const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
      writeFileSync(join(d, 'config.json'), JSON.stringify({ ...cfg, n_positions: 20 }));
    });
    await expect(importHfCheckpoint({ from, into: into() })).rejects.toThrow(/GPT2LMHeadModel shapes differ: transformer\.wpe\.weight \[16,32\] vs \[20,32\]/);
  });

  test('a pytorch_model.bin without safetensors', async () => {
    const from = variant('gpt2', (d) => {
      rmSync(join(d, 'model.safetensors'));
      writeFileSync(join(d, 'pytorch_model.bin'), 'not read');
    });
    await expect(importHfCheckpoint({ from, into: into() })).rejects.toThrow(/has pytorch_model\.bin but no model\.safetensors; import reads safetensors only/);
  });

  test('a tensor of another architecture', async () => {
    const from = variant('bert', (d) => {
      const file = readSafetensors(join(d, 'model.safetensors'));
      file.tensors.set('classifier.weight', { dtype: 'F32', shape: [2, 32], data: new Float32Array(64) });
      writeFileSync(join(d, 'model.safetensors'), serializeSafetensors(file.tensors));
    });
    await expect(importHfCheckpoint({ from, into: into() })).rejects.toThrow(/BertForMaskedLM has no place for 1 tensor: classifier\.weight/);
  });

  test('no tokenizer, and a run folder that exists', async () => {
    const from = variant('gpt2', (d) => rmSync(join(d, 'merges.txt')));
    await expect(importHfCheckpoint({ from, into: into() })).rejects.toThrow(/no tokenizer \(import reads tokenizer\.json, vocab\.txt/);
    const target = into();
    await importHfCheckpoint({ from: join(FIX, 'gpt2'), into: target });
    await expect(importHfCheckpoint({ from: join(FIX, 'gpt2'), into: target })).rejects.toThrow(/already holds a run/);
  });
});
