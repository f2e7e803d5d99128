// Exponential moving average as TensorBoard draws it: debiased, so the first points are not pulled
// towards zero. Kept incrementally: appending k points costs O(k), not O(n).

export class EmaCache {
  #values = new Float64Array(1024);
  #length = 0;
  #weight = 0;
  #last = 0; // running biased average
  #count = 0; // finite values seen, for the debias factor

  #epoch = 0; // the series' truncation count when cached: a rewrite invalidates everything

  /**
   * Smoothed copy of y[0..n) for weight in [0, 1); recomputes only what changed. `epoch` must
   * change whenever earlier values of y were rewritten (see MetricSeries.epoch).
   */
  update(y: ArrayLike<number>, n: number, weight: number, epoch = 0): Float64Array {
    if (!(weight >= 0 && weight < 1)) throw new Error(`EmaCache: weight must be in [0, 1), got ${weight}`);
    if (weight !== this.#weight || n < this.#length || epoch !== this.#epoch) {
      this.reset(weight);
      this.#epoch = epoch;
    }
    if (this.#values.length < n) {
      const grown = new Float64Array(Math.max(n, this.#values.length * 2));
      grown.set(this.#values.subarray(0, this.#length));
      this.#values = grown;
    }
    for (let i = this.#length; i < n; i++) {
      const v = y[i];
      if (!Number.isFinite(v)) {
        this.#values[i] = v; // a NaN loss stays visible as a gap, and does not poison what follows
        continue;
      }
      this.#last = this.#last * weight + (1 - weight) * v;
      this.#count++;
      this.#values[i] = this.#last / (1 - Math.pow(weight, this.#count));
    }
    this.#length = n;
    return this.#values;
  }

  reset(weight = this.#weight): void {
    this.#weight = weight;
    this.#length = 0;
    this.#last = 0;
    this.#count = 0;
  }
}
