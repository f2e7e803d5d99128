// Picking the next token from one row of logits, on the CPU, in the order Hugging Face's
// `generate` applies its processors: repetition penalty → temperature → top-k → top-p → draw.
// Greedy (argmax, lowest id on ties) when temperature is 0 or top-k is 1, which is what
// "top-k = 1 equals greedy" means. Scratch arrays are kept per Sampler so a step allocates
// nothing proportional to the vocabulary.
import type { SeededRng } from './rng';

export interface SamplingOptions {
  /** Divides the logits; 0 = greedy. Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens; 0 or undefined = off. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p; 1 = off. */
  topP?: number;
  /** CTRL / HF penalty for tokens already in the context: positive logits / r, negative * r. 1 = off. */
  repetitionPenalty?: number;
}

export interface ResolvedSampling {
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
}

/** Fills defaults and throws, naming the option, on values no sampler can use. */
export function resolveSampling(o: SamplingOptions = {}): ResolvedSampling {
  const r: ResolvedSampling = {
    temperature: o.temperature ?? 1,
    topK: o.topK ?? 0,
    topP: o.topP ?? 1,
    repetitionPenalty: o.repetitionPenalty ?? 1,
  };
  if (!(Number.isFinite(r.temperature) && r.temperature >= 0)) throw new Error(`sampling: temperature must be >= 0, got ${r.temperature}`);
  if (!(Number.isInteger(r.topK) && r.topK >= 0)) throw new Error(`sampling: topK must be a non-negative integer, got ${r.topK}`);
  if (!(r.topP > 0 && r.topP <= 1)) throw new Error(`sampling: topP must be in (0, 1], got ${r.topP}`);
  if (!(Number.isFinite(r.repetitionPenalty) && r.repetitionPenalty > 0)) {
    throw new Error(`sampling: repetitionPenalty must be > 0, got ${r.repetitionPenalty}`);
  }
  return r;
}

export function isGreedy(o: ResolvedSampling): boolean {
  return o.temperature === 0 || o.topK === 1;
}

/** In place: for each distinct token in `context`, logit / penalty if positive, else logit * penalty. */
export function applyRepetitionPenalty(logits: Float32Array | Float64Array, context: Iterable<number>, penalty: number): void {
  if (penalty === 1) return;
  const seen = new Set<number>();
  for (const t of context) {
    if (seen.has(t) || t < 0 || t >= logits.length) continue;
    seen.add(t);
    logits[t] = logits[t] > 0 ? logits[t] / penalty : logits[t] * penalty;
  }
}

/** Index of the largest value, the lowest index on ties; NaN never wins. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best] || !(values[best] === values[best])) best = i;
  return best;
}

export class Sampler {
  readonly options: ResolvedSampling;
  private work = new Float64Array(0);
  private order = new Uint32Array(0);
  private heap = new Uint32Array(0);

  constructor(options: SamplingOptions, readonly rng: SeededRng) {
    this.options = resolveSampling(options);
  }

  /**
   * The next token id. `logits` is not modified. `context` is the prompt plus what was generated
   * (the tokens the repetition penalty looks at, as HF does).
   */
  sample(logits: Float32Array, context: Iterable<number> = []): number {
    const V = logits.length;
    if (V === 0) throw new Error('sampling: empty logits row');
    if (this.work.length !== V) {
      this.work = new Float64Array(V);
      this.order = new Uint32Array(V);
      this.heap = new Uint32Array(V);
    }
    const { temperature, topK, topP, repetitionPenalty } = this.options;
    const w = this.work;
    w.set(logits);
    applyRepetitionPenalty(w, context, repetitionPenalty);
    if (isGreedy(this.options)) return argmax(w);
    const count = filteredProbabilities(w, this.order, this.heap, temperature, topK, topP);
    return drawFrom(w, this.order, count, this.rng.nextFloat());
  }
}

/**
 * Turns `w` (penalized logits) into probabilities in place and fills `order` with candidate ids;
 * returns how many of `order`'s first entries survive top-k / top-p (most likely first, the id
 * breaking ties, when either is on; all V in id order when both are off). `heap` is scratch.
 */
function filteredProbabilities(w: Float64Array, order: Uint32Array, heap: Uint32Array, temperature: number, topK: number, topP: number): number {
  const V = w.length;
  let max = -Infinity;
  for (let i = 0; i < V; i++) {
    w[i] /= temperature;
    if (w[i] > max) max = w[i];
  }
  if (!Number.isFinite(max)) throw new Error(`sampling: logits have no finite maximum (${max})`);
  let sum = 0;
  for (let i = 0; i < V; i++) sum += w[i] = Math.exp(w[i] - max);
  for (let i = 0; i < V; i++) w[i] /= sum;
  if (topK === 0 && topP === 1) {
    for (let i = 0; i < V; i++) order[i] = i;
    return V;
  }
  // Pop candidates most likely first from a max-heap (O(V + kept · log V), not a full sort):
  // stop after topK, or once their probability reaches topP.
  const limit = topK > 0 ? Math.min(topK, V) : V;
  const before = (a: number, b: number) => w[a] > w[b] || (w[a] === w[b] && a < b);
  let size = V;
  for (let i = 0; i < V; i++) heap[i] = i;
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      const r = l + 1;
      const child = r < size && before(heap[r], heap[l]) ? r : l;
      if (!before(heap[child], heap[i])) return;
      const t = heap[i];
      heap[i] = heap[child];
      heap[child] = t;
      i = child;
    }
  };
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i);
  let count = 0;
  let cum = 0;
  while (count < limit) {
    const top = heap[0];
    order[count++] = top;
    cum += w[top];
    if (topP < 1 && cum >= topP) break;
    heap[0] = heap[--size];
    siftDown(0);
  }
  return count;
}

/** Draws among the first `count` ids of `order` in proportion to `w` (renormalized over them). */
function drawFrom(w: Float64Array, order: Uint32Array, count: number, u: number): number {
  let total = 0;
  for (let i = 0; i < count; i++) total += w[order[i]];
  let target = u * total;
  for (let i = 0; i < count; i++) {
    target -= w[order[i]];
    if (target < 0) return order[i];
  }
  return order[count - 1]; // u * total rounded up to total
}
