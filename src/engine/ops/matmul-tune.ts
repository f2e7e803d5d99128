// Per-adapter matmul choice: time every variant briefly on one shape per class, keep the fastest,
// and cache the result on disk so the next start on the same adapter and Dawn skips the measuring.
// Cache file: <cacheDir>/matmul-tuning.json, { [key]: MatmulChoice } where the key names the adapter
// (vendor, architecture, device, description, driver), the Dawn build (webgpu package version) and
// a hash of the kernels' sources (editing a kernel invalidates old choices).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { FeatureSet, GpuContext } from '../gpu/device';
import { Recorder } from '../gpu/kernel';
import { Tensor } from '../gpu/tensor';
import { GpuTimer } from '../gpu/timing';
import { matmul } from './matmul';
import { type ClassChoice, type MatmulChoice, SHAPE_CLASSES, type ShapeClass, setMatmulChoice } from './matmul-choice';
import { MATMUL_VARIANTS, matmulVariant, variantSupported } from './matmul-variants';

/** The OS user cache dir for this app: XDG_CACHE_HOME or ~/.cache, ~/Library/Caches, %LOCALAPPDATA%. */
export function defaultCacheDir(): string {
  const base =
    process.platform === 'win32'
      ? (process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'))
      : process.platform === 'darwin'
        ? join(homedir(), 'Library', 'Caches')
        : (process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'));
  return join(base, 'pretrain-studio');
}

export function dawnVersion(): string {
  // In the app's engine worker the Dawn is Electron's own (Chromium's), not the webgpu package's.
  const chromium = typeof process !== 'undefined' ? process.versions?.chrome : undefined;
  if (chromium) return `chromium@${chromium}`;
  try {
    return `webgpu@${(createRequire(import.meta.url)('webgpu/package.json') as { version: string }).version}`;
  } catch {
    return 'webgpu@unknown';
  }
}

export function tuningKey(ctx: GpuContext): string {
  const r = ctx.report;
  const kernels = createHash('sha256')
    .update(MATMUL_VARIANTS.map((v) => v.name + v.code + (v.codeVec4Store ?? '')).join('\u0000'))
    .digest('hex')
    .slice(0, 12);
  // lavapipe's SIMD width (LP_NATIVE_VECTOR_WIDTH) changes the subgroup size, not the adapter's name.
  const lanes = `lanes:${ctx.features.subgroupMinSize}`;
  // Choices cached before headless Dawn stopped quantizing timestamps were picked among rounded
  // (mostly equal) timings on real GPUs: the 'timer' part makes them measured again.
  return [r.vendor, r.architecture, r.device, r.description, r.driver, dawnVersion(), `kernels:${kernels}`, lanes, 'timer:exact'].join('|');
}

/** One representative problem per class: [M, N, K, batch] (all multiples of 4, so vec4 competes). */
export const TUNING_SHAPES: Record<ShapeClass, [number, number, number, number]> = {
  small: [64, 64, 32, 16], // attention per head (T=64, head size 32) x 16 heads
  medium: [768, 128, 512, 1], // a small model's MLP projection, B*T=768 rows
  large: [512, 512, 512, 1],
};

export interface TuneOptions {
  /** Where the JSON cache lives; default defaultCacheDir(). */
  cacheDir?: string;
  /** Use these variants instead of measuring (also written nowhere). */
  override?: Partial<Record<ShapeClass, ClassChoice>>;
  /** Measure even if a cached choice exists. */
  force?: boolean;
  /** Samples per variant and class (the best one counts); default 3. */
  samples?: number;
  /** Only these variants compete (tests); default all but naive. */
  variants?: readonly string[];
  /** Other representative problems per class (tests); default TUNING_SHAPES. */
  shapes?: Partial<Record<ShapeClass, [number, number, number, number]>>;
  log?: (line: string) => void;
}

type CacheFile = Record<string, MatmulChoice>;

function readCache(file: string): CacheFile {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
  } catch {
    return {};
  }
}

function writeCache(dir: string, file: string, cache: CacheFile): void {
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(cache, null, 2));
  renameSync(tmp, file);
}

function isValidChoice(c: MatmulChoice | undefined, features: FeatureSet): c is MatmulChoice {
  const names = new Set(MATMUL_VARIANTS.filter((v) => variantSupported(v, features)).map((v) => v.name));
  return Boolean(c && SHAPE_CLASSES.every((k) => names.has(c.byClass?.[k]?.best) && names.has(c.byClass?.[k]?.fallback)));
}

/**
 * Times one variant on one problem: the best of `samples` runs, in ms. A variant whose first run
 * (after the warm-up that builds its pipeline) is already `cutoffMs` or slower is not sampled
 * further: on software drivers a losing variant can take seconds per run.
 */
async function timeVariant(
  ctx: GpuContext,
  variant: string,
  shape: [number, number, number, number],
  samples: number,
  cutoffMs: number,
): Promise<number> {
  const [m, n, k, batch] = shape;
  const a = Tensor.empty(ctx, [batch, m, k]);
  const b = Tensor.empty(ctx, [batch, k, n]);
  const out = Tensor.empty(ctx, [batch, m, n]);
  const rec = new Recorder(ctx);
  const timer = new GpuTimer(ctx);
  try {
    matmul(rec, { out, a, b, strategy: variant, label: 'tune' });
    await timer.sample(rec);
    // The fastest sample, not the median: other work on the machine only ever adds time.
    let best = await timer.sample(rec);
    for (let i = 1; i < samples && best < cutoffMs; i++) best = Math.min(best, await timer.sample(rec));
    return best;
  } finally {
    timer.destroy();
    rec.destroy();
    for (const t of [a, b, out]) t.destroy();
  }
}

/** Measures (or loads) the device's matmul choice and installs it for matmul(). */
export async function tuneMatmul(ctx: GpuContext, options: TuneOptions = {}): Promise<MatmulChoice> {
  const log = options.log ?? (() => {});
  if (options.override) {
    const base = (await tuneOrLoad(ctx, options, log)).byClass;
    const choice: MatmulChoice = { byClass: { ...base, ...options.override }, source: 'override' };
    if (!isValidChoice(choice, ctx.features)) throw new Error(`tuneMatmul: override names an unknown or unsupported variant: ${JSON.stringify(options.override)}`);
    setMatmulChoice(ctx, choice);
    return choice;
  }
  const choice = await tuneOrLoad(ctx, options, log);
  setMatmulChoice(ctx, choice);
  return choice;
}

async function tuneOrLoad(ctx: GpuContext, options: TuneOptions, log: (line: string) => void): Promise<MatmulChoice> {
  const dir = options.cacheDir ?? defaultCacheDir();
  const file = join(dir, 'matmul-tuning.json');
  const key = tuningKey(ctx);
  const cache = readCache(file);
  if (!options.force && isValidChoice(cache[key], ctx.features)) {
    log(`matmul: cached choice for ${ctx.report.description || ctx.report.device} (${file})`);
    return { ...cache[key], source: 'cache' };
  }
  const timings: Record<string, Record<string, number>> = {};
  const byClass = {} as Record<ShapeClass, ClassChoice>;
  for (const cls of SHAPE_CLASSES) {
    timings[cls] = {};
    for (const v of MATMUL_VARIANTS) {
      // naive is never competitive; it only anchors the tests
      if (options.variants ? !options.variants.includes(v.name) : v.family === 'naive') continue;
      if (!variantSupported(v, ctx.features)) continue;
      const shape = options.shapes?.[cls] ?? TUNING_SHAPES[cls];
      const bestSoFar = Math.min(Infinity, ...Object.values(timings[cls]));
      timings[cls][v.name] = await timeVariant(ctx, v.name, shape, options.samples ?? 3, 3 * bestSoFar);
      log(`matmul tune ${cls} ${v.name}: ${timings[cls][v.name].toFixed(3)} ms`);
    }
    const ranked = Object.entries(timings[cls]).sort((x, y) => x[1] - y[1]);
    const fallback = ranked.find(([name]) => !matmulVariant(name).vec4)?.[0] ?? 'tiled.32x32x16.4x4';
    byClass[cls] = { best: ranked[0][0], fallback };
  }
  const choice: MatmulChoice = { byClass, source: 'measured', timings };
  try {
    writeCache(dir, file, { ...readCache(file), [key]: choice });
  } catch (e) {
    log(`matmul: could not write tuning cache ${file}: ${(e as Error).message}`);
  }
  return choice;
}

/**
 * What a process does once after opening its device: on a real GPU, measure the matmul variants
 * (a second or so, then cached on disk per adapter and kernel sources); on CPU drivers keep the
 * per-driver defaults, which were measured on them and would take a minute to re-measure on
 * SwiftShader. A failed measurement is logged and leaves the defaults in place.
 */
export async function prepareMatmul(
  ctx: GpuContext,
  cpuAdapter: boolean,
  log: (line: string) => void,
  options: Omit<TuneOptions, 'log'> = {},
): Promise<void> {
  if (cpuAdapter) return;
  try {
    const choice = await tuneMatmul(ctx, options);
    log(`matmul kernels (${choice.source}): ${SHAPE_CLASSES.map((c) => `${c} ${choice.byClass[c].best}`).join(', ')}`);
  } catch (e) {
    log(`matmul tuning failed, using the defaults: ${(e as Error).message}`);
  }
}
