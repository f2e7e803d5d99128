// Metric history for the charts: one growable column store per (split, name). Records arrive in
// batches (a few messages a second, or a whole metrics.jsonl on reload); arrays double when full so
// ingesting n records costs O(n), and charts are told once per batch through `version`.

/** One logged scalar, as written to metrics.jsonl and streamed by the engine. */
export interface MetricRecord {
  step: number; // optimizer step the value belongs to
  split: string; // 'train' | 'val' | …
  name: string; // 'loss' | 'ppl' | 'acc' | 'lr' | 'grad_norm' | 'tokens_per_s' | …
  value: number;
  time: number; // ms since the epoch (or since run start): only used for elapsed/ETA
}

export class MetricSeries {
  readonly split: string;
  readonly name: string;
  steps = new Float64Array(256);
  values = new Float64Array(256);
  times = new Float64Array(256);
  length = 0;
  /** Bumped when earlier points are dropped (a resumed run re-logs steps): caches must rebuild. */
  epoch = 0;

  constructor(split: string, name: string) {
    this.split = split;
    this.name = name;
  }

  push(step: number, value: number, time: number): void {
    // A run resumed from a checkpoint logs again from the checkpoint's step: the newer values win,
    // so drop every point at or after `step` (binary search: steps are kept ascending).
    if (this.length > 0 && step <= this.steps[this.length - 1]) {
      this.length = lowerBound(this.steps, this.length, step);
      this.epoch++;
    }
    if (this.length === this.steps.length) this.#grow();
    this.steps[this.length] = step;
    this.values[this.length] = value;
    this.times[this.length] = time;
    this.length++;
  }

  get lastValue(): number | undefined {
    return this.length > 0 ? this.values[this.length - 1] : undefined;
  }

  #grow(): void {
    const capacity = this.steps.length * 2;
    for (const key of ['steps', 'values', 'times'] as const) {
      const grown = new Float64Array(capacity);
      grown.set(this[key]);
      this[key] = grown;
    }
  }
}

function lowerBound(sorted: Float64Array, n: number, target: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class MetricsStore {
  /** Increments once per ingested batch: read it in an $effect to redraw. */
  version = $state(0);
  /** `split/name` keys in first-seen order (reactive: a new metric adds a chart). */
  keys = $state.raw<string[]>([]);
  #series = new Map<string, MetricSeries>();

  ingest(records: readonly MetricRecord[]): void {
    if (records.length === 0) return;
    let added = false;
    for (const r of records) {
      const key = `${r.split}/${r.name}`;
      let s = this.#series.get(key);
      if (s === undefined) {
        s = new MetricSeries(r.split, r.name);
        this.#series.set(key, s);
        added = true;
      }
      s.push(r.step, r.value, r.time);
    }
    if (added) this.keys = [...this.#series.keys()];
    this.version++;
  }

  series(split: string, name: string): MetricSeries | undefined {
    return this.#series.get(`${split}/${name}`);
  }

  clear(): void {
    this.#series.clear();
    this.keys = [];
    this.version++;
  }
}
