// Per-adapter choice: measured once, written to the cache dir, read back (not re-measured) on the
// next call, overridable; and a replayed matmul step allocates no GPU buffers.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { matmul } from '../../../src/engine/ops/matmul';
import { getMatmulChoice } from '../../../src/engine/ops/matmul-choice';
import { prepareMatmul, tuneMatmul, tuningKey } from '../../../src/engine/ops/matmul-tune';

let ctx: GpuContext;
let cacheDir: string;
beforeAll(async () => {
  ctx = await GpuContext.open();
  cacheDir = mkdtempSync(join(tmpdir(), 'matmul-tune-'));
});
afterAll(() => {
  ctx?.destroy();
  rmSync(cacheDir, { recursive: true, force: true });
});

const small = {
  variants: ['vec4.4x4.wg8x8', 'tiled.32x32x16.4x4'],
  shapes: { small: [16, 16, 16, 2], medium: [32, 32, 32, 1], large: [64, 64, 64, 1] } as Record<string, [number, number, number, number]>,
  samples: 1,
};

test('measures, caches on disk by adapter key, then reads the cache; override wins', async () => {
  const lines: string[] = [];
  const measured = await tuneMatmul(ctx, { cacheDir, ...small, shapes: { ...small.shapes }, log: (l) => lines.push(l) });
  expect(measured.source).toBe('measured');
  expect(lines.filter((l) => l.includes('matmul tune')).length).toBe(6);
  for (const cls of ['small', 'medium', 'large'] as const) {
    expect(small.variants).toContain(measured.byClass[cls].best);
    expect(measured.byClass[cls].fallback).toBe('tiled.32x32x16.4x4');
  }
  const file = JSON.parse(readFileSync(join(cacheDir, 'matmul-tuning.json'), 'utf8'));
  expect(Object.keys(file)).toEqual([tuningKey(ctx)]);
  expect(tuningKey(ctx)).toContain(ctx.report.driver);
  expect(tuningKey(ctx)).toMatch(/webgpu@\d/);

  const cached = await tuneMatmul(ctx, { cacheDir, ...small, shapes: { ...small.shapes } });
  expect(cached.source).toBe('cache');
  expect(cached.byClass).toEqual(measured.byClass);
  expect(getMatmulChoice(ctx)).toBe(cached);

  const override = { best: 'naive', fallback: 'naive' };
  const forced = await tuneMatmul(ctx, { cacheDir, override: { large: override } });
  expect(forced.source).toBe('override');
  expect(forced.byClass.large).toEqual(override);
  expect(forced.byClass.small).toEqual(measured.byClass.small);
  await expect(tuneMatmul(ctx, { cacheDir, override: { small: { best: 'nope', fallback: 'naive' } } })).rejects.toThrow(/unknown or unsupported variant/);
});

test('a cached choice the adapter cannot run (more subgroup lanes than it has) is measured again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'matmul-tune-lanes-'));
  // The same device seen with 4-lane subgroups, holding a cache written with 16 lanes (512-bit lavapipe).
  const narrow: GpuContext = Object.assign(Object.create(ctx), { features: { ...ctx.features, subgroups: true, subgroupMinSize: 4 } });
  try {
    const stale = { best: 'sg.48x4.r16.wg16', fallback: 'tiled.32x32x16.4x4' };
    const choice = { byClass: { small: stale, medium: stale, large: stale }, source: 'measured' };
    writeFileSync(join(dir, 'matmul-tuning.json'), JSON.stringify({ [tuningKey(narrow)]: choice }));
    const got = await tuneMatmul(narrow, { cacheDir: dir, ...small, shapes: { ...small.shapes } });
    expect(got.source).toBe('measured');
    expect(small.variants).toContain(got.byClass.medium.best);
    expect(tuningKey(narrow)).toContain('lanes:4');
    expect(tuningKey(narrow)).not.toBe(tuningKey(Object.assign(Object.create(ctx), { features: { ...ctx.features, subgroupMinSize: 16 } })));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a replayed matmul recording (split, bias, GELU) creates no buffers', async () => {
  const a = Tensor.from(ctx, Float32Array.from({ length: 30 * 20 }, () => Math.random()), [30, 20]);
  const w = Tensor.from(ctx, Float32Array.from({ length: 20 * 40 }, () => Math.random()), [20, 40]);
  const bias = Tensor.empty(ctx, [40]);
  const out = Tensor.empty(ctx, [30, 40]);
  const pre = Tensor.empty(ctx, [30, 40]);
  const rec = new Recorder(ctx);
  const dispatches = matmul(rec, { out, a, b: w, bias, gelu: true, preGelu: pre, limits: { maxComputeWorkgroupsPerDimension: 1 } });
  expect(dispatches).toBeGreaterThan(1);
  await rec.run();
  const first = await out.read();
  const before = ctx.buffersCreated;
  await rec.run();
  await rec.run();
  expect(ctx.buffersCreated).toBe(before);
  expect(await out.read()).toEqual(first);
  rec.destroy();
  for (const t of [a, w, bias, out, pre]) t.destroy();
});

test('the default choice before tuning names real variants the adapter supports', async () => {
  const { defaultMatmulChoice } = await import('../../../src/engine/ops/matmul-choice');
  const { matmulVariant, variantSupported } = await import('../../../src/engine/ops/matmul-variants');
  const featureSets = [
    { subgroups: false, subgroupMinSize: 0 },
    { subgroups: true, subgroupMinSize: 4 },
    { subgroups: true, subgroupMinSize: 8 },
    { subgroups: true, subgroupMinSize: 16 },
  ];
  for (const driver of ['lavapipe', 'swiftshader', 'native'] as const) {
    for (const sg of featureSets) {
      const features = { ...ctx.features, ...sg };
      const fake = { report: { ...ctx.report, driver, isFallbackAdapter: false }, features } as unknown as GpuContext;
      const choice = defaultMatmulChoice(fake);
      expect(choice.source).toBe('default');
      for (const cls of ['small', 'medium', 'large'] as const) {
        const { best, fallback } = choice.byClass[cls];
        const what = `${driver} ${JSON.stringify(sg)} ${cls}: ${best}`;
        expect(variantSupported(matmulVariant(best), features), what).toBe(true);
        // CPU drivers get the subgroup kernels wherever their lanes allow, else register-blocked vec4.
        const family = driver === 'native' ? 'tiled' : matmulVariant(best).subgroupLanes ? 'subgroup' : 'vec4';
        expect(matmulVariant(best).family, what).toBe(family);
        if (driver === 'lavapipe') expect(family === 'subgroup', what).toBe(sg.subgroupMinSize >= 8);
        if (driver === 'swiftshader') expect(family === 'subgroup', what).toBe(sg.subgroupMinSize >= 4);
        expect(matmulVariant(fallback).vec4).toBe(false);
      }
    }
  }
});

test('a subgroup variant is refused, with the reason, where the lanes are not guaranteed', async () => {
  const { matmulVariant, variantSupported } = await import('../../../src/engine/ops/matmul-variants');
  const r8 = matmulVariant('sg.16x4.r8.wg8');
  expect(variantSupported(r8, { ...ctx.features, subgroups: true, subgroupMinSize: 4 })).toBe(false);
  expect(variantSupported(r8, { ...ctx.features, subgroups: false, subgroupMinSize: 0 })).toBe(false);
  expect(variantSupported(r8, { ...ctx.features, subgroups: true, subgroupMinSize: 32 })).toBe(true);
  if (variantSupported(r8, ctx.features)) return; // the refusal path needs an adapter with fewer lanes
  const a = Tensor.from(ctx, new Float32Array(16), [4, 4]);
  const rec = new Recorder(ctx);
  expect(() => matmul(rec, { out: a, a, b: a, strategy: r8.name })).toThrow(/needs subgroups of at least 8 lanes/);
  rec.destroy();
  a.destroy();
});

test('at start-up a real GPU gets measured kernels; a CPU driver keeps the defaults measured on it', async () => {
  const fresh = await GpuContext.open();
  const dir = mkdtempSync(join(tmpdir(), 'matmul-prepare-'));
  try {
    const lines: string[] = [];
    await prepareMatmul(fresh, true, (l) => lines.push(l), { cacheDir: dir, ...small, shapes: { ...small.shapes } });
    expect(getMatmulChoice(fresh).source).toBe('default');
    expect(lines).toEqual([]);
    await prepareMatmul(fresh, false, (l) => lines.push(l), { cacheDir: dir, ...small, shapes: { ...small.shapes } });
    expect(getMatmulChoice(fresh).source).toBe('measured');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^matmul kernels \(measured\): small (vec4|tiled)\S+, medium \S+, large \S+$/);
  } finally {
    fresh.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
