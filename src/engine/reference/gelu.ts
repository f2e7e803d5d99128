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
