// Decode speed (a benchmark, skipped unless BENCH=1): tokens per second of the KV decoder on the
// baby shakespeare_char shape and a GPT-2-small-like shape, prefill and per-token step.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { generateText } from '../../../src/engine/generate/generate';
import { KvDecoder } from '../../../src/engine/generate/kv-decoder';
import { uploadWeights } from '../../../src/engine/generate/weights';
import { GpuContext } from '../../../src/engine/gpu/device';
import { BABY_SHAKESPEARE, decoderConfig, type ModelConfig } from '../../../src/engine/model/config';
import { randomParams } from './reference-gpt';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

const shapes: [string, ModelConfig][] = [
  ['baby shakespeare_char (4L, 128, V 65, T 64)', BABY_SHAKESPEARE],
  ['gpt2-ish 6L, 384, V 8192, T 256', decoderConfig({ nLayer: 6, nHead: 6, nEmbd: 384, vocabSize: 8192, blockSize: 256 })],
];
for (const [label, cfg] of shapes) {
  test.runIf(process.env.BENCH === '1')(`decode speed: ${label}`, async () => {
    const weights = uploadWeights(ctx, cfg, randomParams(cfg, 1, 0.05));
    const dec = new KvDecoder(ctx, weights);
    const prompt = Array.from({ length: Math.min(48, cfg.blockSize - 1) }, (_, i) => i % cfg.vocabSize);
    await dec.feed(prompt); // warm up: pipelines compiled
    dec.reset();
    let t0 = performance.now();
    await dec.feed(prompt);
    const prefillMs = performance.now() - t0;
    const steps = Math.min(40, cfg.blockSize - prompt.length);
    t0 = performance.now();
    for (let i = 0; i < steps; i++) await dec.feed([i % cfg.vocabSize]);
    const stepMs = (performance.now() - t0) / steps;
    console.log(`${label} on ${ctx.report.driver}: prefill ${prompt.length} tokens ${prefillMs.toFixed(1)} ms, step ${stepMs.toFixed(2)} ms/token (${(1000 / stepMs).toFixed(0)} tokens/s)`);
    expect(stepMs).toBeGreaterThan(0);
    dec.destroy();
    weights.destroy();
  });
}

test.runIf(process.env.BENCH === '1')('generation speed past the context: exact sliding window vs keeping half', async () => {
  const cfg = BABY_SHAKESPEARE;
  const weights = uploadWeights(ctx, cfg, randomParams(cfg, 1, 0.05));
  const dec = new KvDecoder(ctx, weights);
  const codec = { encode: (s: string) => [...s].map((c) => c.charCodeAt(0) % cfg.vocabSize), decode: (ids: readonly number[]) => ids.map((i) => String.fromCharCode(32 + i)).join('') };
  await generateText(dec, codec, { prompt: 'ROMEO:', maxNewTokens: 10, seed: 1 }); // warm up
  for (const slideKeep of [cfg.blockSize, cfg.blockSize / 2]) {
    const r = await generateText(dec, codec, { prompt: 'ROMEO:', maxNewTokens: 200, seed: 1, temperature: 0.8, topK: 200, slideKeep });
    console.log(`200 tokens, slideKeep ${slideKeep}: ${r.seconds.toFixed(1)} s (${r.tokensPerSecond.toFixed(1)} tokens/s)`);
    expect(r.tokens).toHaveLength(200);
  }
  dec.destroy();
  weights.destroy();
});
