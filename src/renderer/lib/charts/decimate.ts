// Min/max bucket decimation for line charts: a canvas a thousand pixels wide cannot show 100k
// points, but it must still show the loss spike at step 73,512. Each bucket of consecutive points
// emits its minimum and its maximum (in x order), so every extreme survives; the first and last
// points are always kept so the line spans the same x range as the data.

export interface Decimated {
  x: Float64Array; // step of each kept point, ascending
  y: Float64Array; // value of each kept point
  length: number; // points in use (the arrays may be longer)
}

/**
 * Keeps at most 2 * buckets + 2 points of y[0..n), x ascending. Buckets split the index range
 * [0, n) into `buckets` runs of (nearly) equal length. Non-finite values are skipped.
 */
export function decimateMinMax(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  buckets: number,
): Decimated {
  if (!(buckets >= 1)) throw new Error(`decimateMinMax: buckets must be >= 1, got ${buckets}`);
  if (n > x.length || n > y.length) {
    throw new Error(`decimateMinMax: n=${n} exceeds x.length=${x.length} or y.length=${y.length}`);
  }
  const cap = Math.min(n, 2 * buckets + 2);
  const outX = new Float64Array(cap);
  const outY = new Float64Array(cap);
  let length = 0;
  const emit = (i: number): void => {
    outX[length] = x[i];
    outY[length] = y[i];
    length++;
  };
  if (n <= 2 * buckets + 2) {
    for (let i = 0; i < n; i++) if (Number.isFinite(y[i])) emit(i);
    return { x: outX, y: outY, length };
  }
  let lastEmitted = -1;
  const first = firstFinite(y, 0, n);
  const last = lastFinite(y, 0, n);
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let iMin = -1;
    let iMax = -1;
    for (let i = start; i < end; i++) {
      const v = y[i];
      if (!Number.isFinite(v)) continue;
      if (iMin < 0 || v < y[iMin]) iMin = i;
      if (iMax < 0 || v > y[iMax]) iMax = i;
    }
    if (iMin < 0) continue;
    // The first point lives in the first non-empty bucket: emit it before that bucket's extremes.
    if (lastEmitted < 0 && first !== iMin && first !== iMax) emit((lastEmitted = first));
    const lo = Math.min(iMin, iMax);
    const hi = Math.max(iMin, iMax);
    if (lo > lastEmitted) emit((lastEmitted = lo));
    if (hi > lastEmitted) emit((lastEmitted = hi));
  }
  if (last > lastEmitted) emit(last);
  return { x: outX, y: outY, length };
}

function firstFinite(y: ArrayLike<number>, from: number, to: number): number {
  for (let i = from; i < to; i++) if (Number.isFinite(y[i])) return i;
  return -1;
}

function lastFinite(y: ArrayLike<number>, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (Number.isFinite(y[i])) return i;
  return -1;
}

/** Chart.js point objects ({x, y}) for `parsing: false` datasets. */
export function toPoints(d: Decimated): { x: number; y: number }[] {
  const points = new Array<{ x: number; y: number }>(d.length);
  for (let i = 0; i < d.length; i++) points[i] = { x: d.x[i], y: d.y[i] };
  return points;
}
