// A seeded random number generator for sampling: xoshiro128** (Blackman & Vigna) seeded through
// splitmix32, all in 32-bit integer arithmetic (Math.imul), so a seed gives the same stream on
// every platform and JS engine. Math.random cannot be seeded, hence this file.

/** splitmix32: spreads a seed so that nearby seeds (1, 2, 3 …) give unrelated streams. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class SeededRng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` is any safe integer; both its low and high 32 bits matter. */
  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed)) throw new Error(`SeededRng: seed must be a safe integer, got ${seed}`);
    const hi = Math.floor(seed / 2 ** 32) | 0;
    const st = { s: (seed | 0) ^ Math.imul(hi, 0x27d4eb2d) };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1; // the all-zero state is a fixed point
  }

  /** A generator with the raw xoshiro128** state (for checking against the published test vector). */
  static fromState(a: number, b: number, c: number, d: number): SeededRng {
    const rng = new SeededRng(0);
    [rng.a, rng.b, rng.c, rng.d] = [a | 0, b | 0, c | 0, d | 0];
    return rng;
  }

  /** The next uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A seed for when the caller gave none (reported back so the run can be reproduced). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
