// Float64 reference of tanh and its gradient (from the output y: dx = dy * (1 - y^2)).
export function tanhForward(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, Math.tanh);
}

export function tanhBackward(dy: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  return Float64Array.from(y, (v, i) => dy[i] * (1 - v * v));
}
