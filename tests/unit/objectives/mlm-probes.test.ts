// Fill-mask probes at evaluation: the probe sentences follow the corpus's language (judged from the
// tokenizer), and each evaluation appends the top-5 candidates of every [MASK] to probes.jsonl.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { encoderConfig } from '../../../src/engine/model/config';
import { buildParamLayout } from '../../../src/engine/model/params';
import { DEFAULT_TRAIN_OPTIONS } from '../../../src/engine/config/train-config';
import { PROBES_FILE, ProbeWriter, probesFor } from '../../../src/engine/objectives/mlm-probes';
import { trainTokenizer } from '../../../src/engine/tokenizers';

const english = ['The capital of France is Paris. The cat sleeps on the mat. It is a city of light.'];
const chinese = ['巴黎是法国的首都。埃菲尔铁塔位于巴黎。猫在垫子上睡觉。法国的首都很美。'];

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

test('probes follow the corpus language', async () => {
  expect(probesFor(await trainTokenizer(english, { kind: 'wordpiece', vocabSize: 200 }))).toEqual(['The capital of France is [MASK].']);
  expect(probesFor(await trainTokenizer(chinese, { kind: 'wordpiece', vocabSize: 200 }))).toEqual(['巴黎是法国的首都。埃菲尔铁塔位于[MASK]。', '猫在垫子上[MASK]觉。']);
  expect(probesFor(await trainTokenizer([...english, ...chinese], { kind: 'wordpiece', vocabSize: 300 }))).toHaveLength(3);
});

test('each evaluation appends the top-5 of every probe to probes.jsonl, from the live parameters', async () => {
  const tokenizer = await trainTokenizer(chinese, { kind: 'wordpiece', vocabSize: 200 });
  const config = encoderConfig({ vocabSize: tokenizer.vocabSize, nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 32, ffWidth: 32, dropout: 0, pooler: true });
  const layout = buildParamLayout(config);
  const params = Tensor.empty(ctx, [layout.totalFloats], 'f32', 'test.params');
  let s = 9;
  params.write(new Float32Array(layout.totalFloats).map(() => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.5));
  const runDir = mkdtempSync(join(tmpdir(), 'probes-'));
  const writer = new ProbeWriter({ ctx, layout, params, tokenizer, options: DEFAULT_TRAIN_OPTIONS, runDir });
  try {
    const first = await writer.sample(100);
    params.write(new Float32Array(layout.totalFloats).map(() => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.5));
    await writer.sample(200);
    expect(first.text.split('\n')).toHaveLength(2);
    const lines = readFileSync(join(runDir, PROBES_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([100, 200]);
    for (const l of lines) {
      expect(l.probes.map((p: { text: string }) => p.text)).toEqual(probesFor(tokenizer));
      for (const p of l.probes) {
        expect(p.masks).toHaveLength(1);
        expect(p.masks[0].candidates).toHaveLength(5);
        const total = p.masks[0].candidates.reduce((a: number, c: { probability: number }) => a + c.probability, 0);
        expect(total).toBeGreaterThan(0);
        expect(total).toBeLessThanOrEqual(1 + 1e-9);
      }
    }
    // New weights, new predictions: the writer reads the live buffer, not a copy made once.
    expect(lines[1].probes[0].masks[0].candidates).not.toEqual(lines[0].probes[0].masks[0].candidates);
  } finally {
    writer.destroy();
    params.destroy();
  }
});
