// Initialization statistics and the checkpoint tensors (CPU only).
import { describe, expect, test } from 'vitest';
import { decoderConfig, encoderConfig } from '../../../src/engine/model/config';
import { allParts, buildParamLayout } from '../../../src/engine/model/params';
import { parseSafetensors, serializeSafetensors } from '../../../src/engine/io/safetensors';
import { initParams } from '../../../src/engine/train/init';
import { describeLoad, deserializeModel, deserializeOptimizer, serializeModel, serializeOptimizer } from '../../../src/engine/train/weights-io';

const cfg = decoderConfig({ vocabSize: 67, nLayer: 3, nHead: 2, nEmbd: 48, blockSize: 17, bias: true });
const layout = buildParamLayout(cfg);

/** Bitwise equality (toEqual walks typed arrays element by element: slow for 100k floats). */
function same(a: Float32Array, b: Float32Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

function stats(x: Float32Array): { mean: number; std: number } {
  let s = 0, s2 = 0;
  for (const v of x) { s += v; s2 += v * v; }
  const mean = s / x.length;
  return { mean, std: Math.sqrt(s2 / x.length - mean * mean) };
}

describe('initParams (GPT-2 init)', () => {
  const flat = initParams(layout, 42);
  const part = (name: string) => { const p = layout.part(name); return flat.subarray(p.offset, p.offset + p.numel); };

  test('matrices ~ N(0, 0.02), residual projections scaled by 1/sqrt(2 nLayer), norms 1, biases 0', () => {
    const wte = stats(part('transformer.wte.weight'));
    expect(Math.abs(wte.mean)).toBeLessThan(0.002);
    expect(wte.std).toBeGreaterThan(0.019);
    expect(wte.std).toBeLessThan(0.021);
    const proj = stats(part('transformer.h.1.mlp.c_proj.weight'));
    expect(proj.std / (0.02 / Math.sqrt(6))).toBeGreaterThan(0.95);
    expect(proj.std / (0.02 / Math.sqrt(6))).toBeLessThan(1.05);
    expect([...part('transformer.h.2.ln_1.weight')].every((v) => v === 1)).toBe(true);
    expect([...part('transformer.h.0.attn.c_attn.bias')].every((v) => v === 0)).toBe(true);
  });

  test('deterministic per seed, different across seeds, padding zero', () => {
    expect(same(initParams(layout, 42), flat)).toBe(true);
    expect(same(initParams(layout, 43), flat)).toBe(false);
    const used = new Uint8Array(layout.totalFloats);
    for (const p of allParts(layout)) used.fill(1, p.offset, p.offset + p.numel);
    expect(flat.filter((v, i) => !used[i] && v !== 0)).toHaveLength(0);
  });
});

describe('checkpoint tensors', () => {
  test('model.safetensors: every HF name with its shape, round trip exact', () => {
    const flat = initParams(layout, 1);
    const bytes = serializeModel(layout, flat);
    const file = parseSafetensors(bytes);
    expect([...file.tensors.keys()].sort()).toEqual(allParts(layout).map((p) => p.name).sort());
    expect(file.tensors.get('transformer.h.0.attn.c_attn.weight')!.shape).toEqual([48, 144]);
    expect(file.tensors.get('transformer.wpe.weight')!.shape).toEqual([17, 48]);
    const back = deserializeModel(layout, bytes);
    expect(same(back.params, flat)).toBe(true);
    expect(back.initialised).toEqual([]);
    expect(back.unexpected).toEqual([]);
  });

  test('optimizer.safetensors: moments and step round trip; a wrong model is refused by name', () => {
    const m = initParams(layout, 2), v = initParams(layout, 3).map(Math.abs);
    const back = deserializeOptimizer(layout, serializeOptimizer(layout, m, v, 123));
    expect(back.step).toBe(123);
    expect(same(back.m, m)).toBe(true);
    expect(same(back.v, v)).toBe(true);
    const other = buildParamLayout(decoderConfig({ ...cfg, nEmbd: 32, ffWidth: 128 }));
    expect(() => deserializeModel(other, serializeModel(layout, m))).toThrow(/model\.safetensors: .*transformer\.\S+ \[\d+,\d+\] vs \[/);
  });
});

describe('checkpoints and heads (the model\'s loadParams)', () => {
  const bert = encoderConfig({ vocabSize: 50, nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 12 });
  const withNsp = buildParamLayout(bert, { heads: [{ kind: 'mlm' }, { kind: 'nsp' }] });
  const mlmOnly = buildParamLayout(bert, { heads: [{ kind: 'mlm' }] });
  const nspTensors = ['cls.seq_relationship.weight', 'cls.seq_relationship.bias'];

  test('a checkpoint lacking a head: the head is initialised from init, named, the body loads exactly', () => {
    const trained = initParams(mlmOnly, 5);
    const init = initParams(withNsp, 9);
    const loaded = deserializeModel(withNsp, serializeModel(mlmOnly, trained), 'model.safetensors', init);
    expect(loaded.initialised.sort()).toEqual([...nspTensors].sort());
    expect(loaded.unexpected).toEqual([]);
    for (const p of allParts(withNsp)) {
      const got = loaded.params.subarray(p.offset, p.offset + p.numel);
      const q = nspTensors.includes(p.name) ? { src: init, offset: p.offset } : { src: trained, offset: mlmOnly.part(p.name).offset };
      expect(same(got, q.src.subarray(q.offset, q.offset + p.numel)), p.name).toBe(true);
    }
    expect(describeLoad(loaded)).toMatch(/initialised 2 tensors .*cls\.seq_relationship\.weight/);
    // Its optimizer file has no moments for the new head: they start at zero.
    const m = initParams(mlmOnly, 6);
    const opt = deserializeOptimizer(withNsp, serializeOptimizer(mlmOnly, m, m, 4), 'optimizer.safetensors', loaded.initialised);
    const w = withNsp.part('cls.seq_relationship.weight');
    expect(opt.m.subarray(w.offset, w.offset + w.numel).every((x) => x === 0)).toBe(true);
    expect(() => deserializeOptimizer(withNsp, serializeOptimizer(mlmOnly, m, m, 4))).toThrow(/cls\.seq_relationship\.weight\.exp_avg' \[2,16\] is missing/);
  });

  test('tensors the layout has no place for are reported, not dropped silently', () => {
    const loaded = deserializeModel(mlmOnly, serializeModel(withNsp, initParams(withNsp, 5)));
    expect(loaded.unexpected.sort()).toEqual([...nspTensors].sort());
    expect(loaded.initialised).toEqual([]);
    expect(describeLoad(loaded, 'ck/model.safetensors')).toMatch(/^ck\/model\.safetensors: did not load 2 tensors .*cls\.seq_relationship/);
  });

  test('a missing body tensor is an error naming it', () => {
    const flat = initParams(withNsp, 5);
    const tensors = new Map(allParts(withNsp).filter((p) => p.name !== 'bert.encoder.layer.0.output.dense.weight').map((p) => [p.name, { shape: p.shape, data: flat.slice(p.offset, p.offset + p.numel) }]));
    expect(() => deserializeModel(withNsp, serializeSafetensors(tensors), 'x.safetensors')).toThrow(/x\.safetensors: checkpoint: body tensor bert\.encoder\.layer\.0\.output\.dense\.weight missing/);
  });
});
