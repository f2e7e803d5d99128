// embeddings.project / embeddings.neighbours through the host dispatcher, on the Hugging Face
// fixtures imported as run folders: BERT's contextual embeddings are HF's last_hidden_state (its
// MLM head applied to them in float64 here gives the reference logits of
// scripts/goldens/make_hf_import.py); the sentence is read as [CLS] text [SEP]; the token set is
// the embedding table; projections are the PCA of those vectors; neighbours are brute-force
// cosine; bad requests are refused with a reason.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { importHfCheckpoint } from '../../../src/engine/hf-import';
import { HostContext } from '../../../src/engine/host/context.ts';
import { dispatch } from '../../../src/engine/host/dispatch.ts';
import { HiddenStates } from '../../../src/engine/inspect/hidden-states';
import { cosineNeighbours } from '../../../src/engine/inspect/neighbours';
import { pca } from '../../../src/engine/inspect/pca';
import { TOKEN_EMBEDDINGS } from '../../../src/engine/inspect/token-table';
import { parseSafetensors } from '../../../src/engine/io/safetensors';
import { buildParamLayout } from '../../../src/engine/model/params';
import { deserializeModel, readRunConfig } from '../../../src/engine/train';

const FIX = new URL('../../fixtures/hf/', import.meta.url).pathname;
const host = new HostContext({ assetsDir: undefined }, () => {});
let work: string, bert: string, gpt: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'embeddings-cmd-'));
  bert = join(work, 'bert');
  gpt = join(work, 'gpt2');
  await importHfCheckpoint({ from: join(FIX, 'bert'), into: bert });
  await importHfCheckpoint({ from: join(FIX, 'gpt2'), into: gpt });
});
afterAll(async () => {
  await host.close();
  rmSync(work, { recursive: true, force: true });
});

let n = 0;
const request = (type: string, params: unknown) => dispatch({ type, requestId: `e${++n}`, params }, host);
async function call<T>(type: string, params: unknown): Promise<T> {
  const reply = await request(type, params);
  if (!reply.ok) throw new Error(`${type}: ${reply.error.message}`);
  return reply.result as T;
}
interface Projection { step: number; dims: number; coords: number[]; points: { id: number; token: string; text: string; cls: string }[]; selection: string; varianceRatio: number[] | null }

function loadWeights(runDir: string) {
  const model = readRunConfig(runDir).pretrain_studio.model;
  const layout = buildParamLayout(model);
  const path = join(runDir, 'checkpoints', 'step-0', 'model.safetensors');
  return { model, layout, params: deserializeModel(layout, readFileSync(path), path).params };
}

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): HF's "gelu" is the exact, erf form. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return Math.sign(x) * y;
}

test('BERT hidden states through the MLM head (float64) give the Hugging Face reference logits', async () => {
  const { model, layout, params } = loadWeights(bert);
  const ref = parseSafetensors(readFileSync(join(FIX, 'bert.reference.safetensors')), 'bert.reference.safetensors').tensors;
  const ids = Array.from(ref.get('ids')!.data as Int32Array), types = Array.from(ref.get('types')!.data as Int32Array);
  const logits = ref.get('logits')!.data as Float32Array;
  const forward = new HiddenStates(await host.gpu(), model, params);
  const h = await forward.run(ids, types);
  forward.destroy();
  const { nEmbd: C, vocabSize: V } = model;
  const at = (name: string, i: number) => params[layout.part(name).offset + i];
  let maxDiff = 0, scale = 0;
  for (let t = 0; t < ids.length; t++) {
    const dense = Array.from({ length: C }, (_, o) => {
      let s = at('cls.predictions.transform.dense.bias', o);
      for (let c = 0; c < C; c++) s += h[t * C + c] * at('cls.predictions.transform.dense.weight', o * C + c);
      return 0.5 * s * (1 + erf(s / Math.SQRT2));
    });
    const mean = dense.reduce((a, b) => a + b, 0) / C;
    const variance = dense.reduce((a, b) => a + (b - mean) ** 2, 0) / C;
    const ln = dense.map((x, c) => ((x - mean) / Math.sqrt(variance + model.layerNormEps)) * at('cls.predictions.transform.LayerNorm.weight', c) + at('cls.predictions.transform.LayerNorm.bias', c));
    for (let v = 0; v < V; v++) {
      let s = at('cls.predictions.bias', v);
      for (let c = 0; c < C; c++) s += ln[c] * at(TOKEN_EMBEDDINGS.encoder, v * C + c);
      maxDiff = Math.max(maxDiff, Math.abs(s - logits[t * V + v]));
      scale = Math.max(scale, Math.abs(logits[t * V + v]));
    }
  }
  console.log(`BERT hidden states → MLM logits: max diff ${maxDiff.toExponential(2)} (logits up to ${scale.toFixed(2)})`);
  expect(maxDiff / scale).toBeLessThan(1e-4);
});

test('a BERT sentence is read as [CLS] text [SEP]; its projection is the PCA of its hidden states', async () => {
  const text = '这家店的菜很好吃';
  const r = await call<Projection>('embeddings.project', { runDir: bert, source: { kind: 'sentence', text }, method: 'pca', dims: 2 });
  expect(r.selection).toBe('sentence');
  expect(r.points.map((p) => p.text)).toEqual(['[CLS]', ...text, '[SEP]']);
  expect(r.points.map((p) => p.cls)).toEqual(['special', ...Array(text.length).fill('han'), 'special']);
  const { model, params } = loadWeights(bert);
  const forward = new HiddenStates(await host.gpu(), model, params);
  const h = await forward.run(r.points.map((p) => p.id));
  forward.destroy();
  const want = pca(h, r.points.length, model.nEmbd, 2);
  r.coords.forEach((x, i) => expect(x).toBeCloseTo(want.coords[i], 9));
  expect(r.varianceRatio![0]).toBeCloseTo(want.varianceRatio[0], 9);

  const near = await call<{ query: { text: string }; neighbours: { index: number; score: number }[] }>('embeddings.neighbours', { runDir: bert, source: { kind: 'sentence', text }, index: 1, k: 3 });
  expect(near.query.text).toBe('这');
  const brute = cosineNeighbours(h, r.points.length, model.nEmbd, 1, 3);
  expect(near.neighbours.map((x) => x.index)).toEqual(brute.map((x) => x.index));
  near.neighbours.forEach((x, i) => expect(x.score).toBeCloseTo(brute[i].score, 12));
});

test('token embeddings are the table rows: all of a small vocabulary, capped (lowest ids) without training data', async () => {
  const { model, layout, params } = loadWeights(gpt);
  const all = await call<Projection>('embeddings.project', { runDir: gpt, source: { kind: 'tokens' }, method: 'pca', dims: 3 });
  expect(all.selection).toBe('all');
  expect(all.points).toHaveLength(model.vocabSize);
  const part = layout.part(TOKEN_EMBEDDINGS.decoder);
  const want = pca(params.subarray(part.offset, part.offset + model.vocabSize * model.nEmbd), model.vocabSize, model.nEmbd, 3);
  all.coords.forEach((x, i) => expect(x).toBeCloseTo(want.coords[i], 9));
  const capped = await call<Projection>('embeddings.project', { runDir: gpt, source: { kind: 'tokens', maxTokens: 50 }, method: 'umap', dims: 2 });
  expect(capped.selection).toBe('lowest-ids'); // an imported checkpoint has no token shards
  expect(capped.points.map((p) => p.id)).toEqual([...Array(50).keys()]);
  expect(capped.varianceRatio).toBeNull();
  const again = await call<Projection>('embeddings.project', { runDir: gpt, source: { kind: 'tokens', maxTokens: 50 }, method: 'umap', dims: 2 });
  expect(again.coords).toEqual(capped.coords); // seeded: the same layout every time
});

test('bad requests are refused with what and where', async () => {
  const fail = async (type: string, params: unknown) => {
    const reply = await request(type, params);
    expect(reply.ok).toBe(false);
    return reply.ok ? '' : reply.error.message;
  };
  expect(await fail('embeddings.project', { runDir: bert, step: 7, source: { kind: 'tokens' }, method: 'pca', dims: 2 })).toMatch(/has no checkpoint step-7 \(it has 0\)/);
  expect(await fail('embeddings.project', { runDir: bert, source: { kind: 'tokens' }, method: 'tsne', dims: 2 })).toMatch(/method/);
  expect(await fail('embeddings.project', { runDir: join(work, 'nothing'), source: { kind: 'tokens' }, method: 'pca', dims: 2 })).toMatch(/is not a run folder/);
  expect(await fail('embeddings.neighbours', { runDir: bert, source: { kind: 'sentence', text: '好' }, index: 3 })).toMatch(/point 3 is outside the set's 3 points/);
});
