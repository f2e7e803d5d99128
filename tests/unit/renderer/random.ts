// Seeded random numbers for renderer tests (mulberry32): failures reproduce from the printed seed.
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random attention layer [heads, tq, tk] as float32 softmax rows; causal masks keys after the query. */
export function randomAttention(rand: () => number, heads: number, tq: number, tk: number, causal = false): Float32Array {
  const out = new Float32Array(heads * tq * tk);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < tq; i++) {
      const logits: number[] = [];
      for (let j = 0; j < tk; j++) logits.push(causal && j > i ? -Infinity : (rand() - 0.5) * 8);
      const max = Math.max(...logits);
      const exps = logits.map((x) => Math.exp(x - max));
      const sum = exps.reduce((a, b) => a + b, 0);
      exps.forEach((e, j) => (out[(h * tq + i) * tk + j] = e / sum));
    }
  }
  return out;
}
