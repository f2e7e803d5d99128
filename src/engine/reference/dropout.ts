// Reference of the counter-based dropout mask, bit-exact with src/shaders/rng.wgsl.
// Element i of stream `stream` under seed stepSeed(seed, step) is kept iff hash >= p * 2^32; kept values are
// scaled by 1 / (1 - p). Nothing is stored: backward recomputes the same mask.

/** lowbias32 (Chris Wellons): a bijective u32 mixer with good avalanche. */
export function lowbias32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

export function randomBits(seed: number, stream: number, index: number): number {
  const key = lowbias32((seed ^ lowbias32((stream + 0x9e3779b9) >>> 0)) >>> 0);
  return lowbias32((lowbias32((index ^ key) >>> 0) + key) >>> 0);
}

/** The per-step seed the kernel derives from StepState (seed, step). */
export function stepSeed(seed: number, step: number): number {
  return lowbias32((seed ^ lowbias32(step >>> 0)) >>> 0);
}

export function dropoutThreshold(p: number): number {
  return Math.min(0xffffffff, Math.round(p * 4294967296));
}

/** The scaled keep mask (0 or 1 / (1 - p)) of n elements for StepState (seed, step) and `stream`. */
export function dropoutMask(n: number, p: number, seed: number, step: number, stream: number): Float64Array {
  seed = stepSeed(seed, step);
  const threshold = dropoutThreshold(p);
  const scale = p < 1 ? 1 / (1 - p) : 0;
  return Float64Array.from({ length: n }, (_, i) => (randomBits(seed, stream, i) >= threshold ? scale : 0));
}
