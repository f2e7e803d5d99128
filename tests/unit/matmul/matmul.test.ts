// Every matmul variant × NN/NT/TN × batched / bias / GELU / accumulate against float64, on shapes
// that are not multiples of any tile (1, 3, 17, 65, 130).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { MATMUL_VARIANTS, variantSupported } from '../../../src/engine/ops/matmul-variants';
import { runCase } from './case';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

const FORMS = [
  { name: 'NN', transA: false, transB: false },
  { name: 'NT', transA: false, transB: true },
  { name: 'TN', transA: true, transB: false },
];
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 17, 5],
  [17, 3, 65],
  [65, 130, 17],
  [130, 65, 3],
  [20, 24, 9], // N % 4 == 0: the vec4 stores of the subgroup variants
];
const TOL = 1e-4;

describe.each(MATMUL_VARIANTS.map((v) => [v.name, v] as const))('%s', (name, variant) => {
  test('all forms on odd shapes', async (t) => {
    if (!variantSupported(variant, ctx.features)) {
      t.skip(`${name} needs subgroups of >= ${variant.subgroupLanes} lanes; this adapter's minimum is ${ctx.features.subgroupMinSize}`);
    }
    for (const form of FORMS) {
      for (const [m, n, k] of SHAPES) {
        // vec4 variants need row strides that are multiples of 4: pad rows by 0 or 4, others by 0..3.
        const pad = variant.vec4 ? 4 * Math.floor(Math.random() * 2) : Math.floor(Math.random() * 4);
        const { err } = await runCase(ctx, { m, n, k, ...form, pad, strategy: name });
        expect(err, `${name} ${form.name} M=${m} N=${n} K=${k} pad=${pad}`).toBeLessThanOrEqual(TOL);
      }
    }
  });

  test('batched, bias, GELU with pre-activation, accumulate', async (t) => {
    if (!variantSupported(variant, ctx.features)) t.skip(`${name} is not supported on this adapter`);
    // Flags combined per case: each flag set is its own pipeline, and lavapipe builds them slowly.
    const cases = [
      { m: 17, n: 33, k: 9, batch: [3, 2] as [number, number], bias: true, gelu: true, pre: true, ...FORMS[0] },
      { m: 65, n: 7, k: 130, batch: [2, 1] as [number, number], bias: true, accumulate: true, ...FORMS[2] },
      { m: 20, n: 21, k: 22, batch: [1, 3] as [number, number], accumulate: true, ...FORMS[1] },
      { m: 3, n: 130, k: 17, batch: [2, 2] as [number, number], bias: true, gelu: true, pre: true, ...FORMS[0] },
      // N % 4 == 0 with aligned rows: vec4 stores (subgroup variants) with every epilogue flag
      { m: 9, n: 32, k: 13, batch: [2, 2] as [number, number], bias: true, gelu: true, pre: true, ...FORMS[1] },
      { m: 30, n: 8, k: 20, batch: [1, 2] as [number, number], bias: true, accumulate: true, ...FORMS[2] },
    ];
    for (const c of cases) {
      const { err, preErr } = await runCase(ctx, { ...c, strategy: name });
      const what = `${name} ${JSON.stringify(c)}`;
      expect(err, what).toBeLessThanOrEqual(TOL);
      expect(preErr, `${what} (pre)`).toBeLessThanOrEqual(TOL);
    }
  });
});
