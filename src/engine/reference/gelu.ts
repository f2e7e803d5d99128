// Float64 reference of GELU, tanh approximation (GPT-2's): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
const K = Math.sqrt(2 / Math.PI);

export function geluForward(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v) => 0.5 * v * (1 + Math.tanh(K * (v + 0.044715 * v ** 3))));
}

/** dx = dOut * gelu'(x). */
export function geluBackward(dOut: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v, i) => {
    const u = K * (v + 0.044715 * v ** 3);
    const t = Math.tanh(u);
    const du = K * (1 + 3 * 0.044715 * v * v);
    return dOut[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du);
  });
}

// Exact (erf) GELU, BERT's: x Phi(x) with Phi(x) = erfc(-x / sqrt 2) / 2. JavaScript has no erf.

/** erfc(x) to ~1e-15: Taylor series of erf for |x| < 2.5, Lentz's continued fraction beyond. */
export function erfc(x: number): number {
  if (Math.abs(x) < 2.5) {
    // erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)); the largest term is ~e^(x^2) < 600,
    // so cancellation costs < 3 digits.
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-18 * Math.abs(sum); n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (x < 0) return 2 - erfc(-x);
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1 / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))), a_k = k/2.
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let k = 1; k < 300; k++) {
    const a = k / 2;
    D = x + a * D;
    D = Math.abs(D) < tiny ? 1 / tiny : 1 / D;
    C = x + a / C;
    if (Math.abs(C) < tiny) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

const phi = (v: number) => Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
const Phi = (v: number) => 0.5 * erfc(-v / Math.SQRT2);

export function geluErfForward(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v) => v * Phi(v));
}

/** dx = dOut * (Phi(x) + x phi(x)). */
export function geluErfBackward(dOut: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v, i) => dOut[i] * (Phi(v) + v * phi(v)));
}
