// The model page's engine commands through the host dispatcher, on the test GPU (lavapipe):
// parameter counts and memory from the engine's own layout, refusals naming the field, a
// measured step time on a tiny shape, the trainer's defaults and presets, objective support.
import { afterAll, describe, expect, it } from 'vitest';
import { HostContext } from '../../../src/engine/host/context.ts';
import { dispatch } from '../../../src/engine/host/dispatch.ts';
import { decoderConfig, encoderConfig, encoderDecoderConfig } from '../../../src/engine/model/config.ts';
import { buildParamLayout } from '../../../src/engine/model/params.ts';
import { PRESETS } from '../../../src/engine/config/presets.ts';
import { DEFAULT_TRAIN_OPTIONS, modelConfigFor, paramLayoutFor, validateTrainOptions } from '../../../src/engine/config/train-config.ts';

const host = new HostContext({ assetsDir: undefined }, () => undefined);
afterAll(() => host.close());

let n = 0;
async function call(type: string, params: unknown): Promise<Record<string, unknown>> {
  const reply = await dispatch({ type, requestId: `m${++n}`, params }, host);
  if (!reply.ok) throw new Error(`${type}: ${reply.error.message}`);
  return reply.result as Record<string, unknown>;
}

const tiny = { objective: 'clm', vocabSize: 67, nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 16, ffWidth: 0, dropout: 0, bias: false, batchSize: 2, gradAccum: 1 };

describe('model commands', () => {
  it('model.estimate counts parameters with the engine layout (GPT and BERT) and reports memory', async () => {
    const gpt = await call('model.estimate', { ...tiny, nLayer: 3, nEmbd: 48, nHead: 3 });
    expect(gpt.params).toBe(buildParamLayout(decoderConfig({ vocabSize: 67, nLayer: 3, nHead: 3, nEmbd: 48, blockSize: 16, dropout: 0, bias: false })).count);
    expect(gpt.totalBytes as number).toBeGreaterThan(4 * (gpt.paramBytes as number) - 1);
    expect(gpt.fitError).toBeUndefined();
    const bert = await call('model.estimate', { ...tiny, objective: 'mlm+nsp' });
    expect(bert.params).toBe(buildParamLayout(encoderConfig({ vocabSize: 67, nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 16, dropout: 0, bias: false })).count);
    // Each objective's own family: masked LM alone has no pooler or NSP head; BART has two stacks (and always biases).
    const mlm = await call('model.estimate', { ...tiny, objective: 'mlm' });
    expect(mlm.params).toBe(buildParamLayout(encoderConfig({ vocabSize: 67, nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 16, dropout: 0, bias: false, pooler: false })).count);
    const bart = await call('model.estimate', { ...tiny, objective: 'bart' });
    expect(bart.params).toBe(buildParamLayout(encoderDecoderConfig({ vocabSize: 67, nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 16, dropout: 0, bias: true })).count);
    const planned = await call('model.estimate', { ...tiny, objective: 'classify' });
    expect(planned.invalid).toMatch(/'classify' is not available yet/);
  });

  it('model.estimate with a tokenizer per side counts the encoder table (source vocabulary) and the decoder table + LM head (target vocabulary), as the trainer lays them out', async () => {
    const shape = { ...tiny, objective: 'seq2seq', vocabSize: 67, targetVocabSize: 301 };
    const perSide = await call('model.estimate', shape);
    // What run.ts builds for such a run: modelConfigFor with both tokenizers' sizes, then paramLayoutFor.
    const o = validateTrainOptions({ ...DEFAULT_TRAIN_OPTIONS, ...tiny, objective: 'seq2seq', sharedTokenizer: false });
    const layout = paramLayoutFor(o, modelConfigFor(o, 67, 301));
    expect(perSide.params).toBe(layout.count);
    expect(layout.part('model.encoder.embed_tokens.weight').shape).toEqual([67, 32]);
    expect(layout.part('model.decoder.embed_tokens.weight').shape).toEqual([301, 32]);
    // One shared table of 67 rows becomes a 67-row encoder table plus a 301-row decoder table (the LM head tied to it).
    const shared = await call('model.estimate', { ...shape, targetVocabSize: undefined });
    expect((perSide.params as number) - (shared.params as number)).toBe(301 * 32);
    // The logits and their gradient score the target vocabulary: more activation memory than 67 entries.
    expect(perSide.activationBytes as number).toBeGreaterThan(shared.activationBytes as number);
    expect(perSide.paramBytes as number).toBeGreaterThanOrEqual(4 * layout.count);
    // A target vocabulary is for an encoder-decoder only.
    expect((await call('model.estimate', { ...tiny, targetVocabSize: 301 })).invalid).toMatch(/targetVocabSize is only for encoder-decoders/);
  });

  it('model.estimate names what is wrong with a shape, and what does not fit', async () => {
    const bad = await call('model.estimate', { ...tiny, nEmbd: 33 });
    expect(bad.invalid).toMatch(/nEmbd 33 is not divisible by nHead 2/);
    const huge = await call('model.estimate', { ...tiny, vocabSize: 50304, nEmbd: 4096, nHead: 32, blockSize: 2048, batchSize: 64 });
    expect(huge.fitError).toMatch(/./);
  });

  it('model.measure times replayed training steps of the real trace on this adapter', async () => {
    const m = await call('model.measure', { shape: tiny, steps: 3, maxMs: 20_000 });
    expect(m.steps).toBe(3);
    expect(m.msPerStep as number).toBeGreaterThan(0);
    expect(m.tokensPerSecond as number).toBeCloseTo((2 * 16) / ((m.msPerStep as number) / 1000), 6);
    expect(String(m.adapter).length).toBeGreaterThan(0);
    const bert = await call('model.measure', { shape: { ...tiny, objective: 'mlm+nsp' }, steps: 1, maxMs: 20_000 });
    expect(bert.steps).toBe(1);
  }, 60_000);

  it('model.defaults returns the schema defaults and the presets; model.objectives lists the registry', async () => {
    const d = await call('model.defaults', {});
    expect((d.presets as { name: string }[]).map((p) => p.name)).toEqual(Object.keys(PRESETS));
    expect((d.defaults as { objective: string }).objective).toBe('clm');
    const o = (await call('model.objectives', {})).objectives as { id: string; available: boolean; reason?: string }[];
    expect(o.map((x) => x.id)).toEqual(['clm', 'mlm', 'mlm+nsp', 'bart', 't5-span', 'seq2seq', 'classify']);
    expect(o.filter((x) => x.available).map((x) => x.id)).toEqual(['clm', 'mlm', 'mlm+nsp', 'bart', 't5-span', 'seq2seq']);
    for (const x of o) if (!x.available) expect(x.reason).toBeTruthy();
  });
});
