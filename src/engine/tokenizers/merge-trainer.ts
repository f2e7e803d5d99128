// Byte-pair merge learning (Sennrich et al. 2016), the core of both our BPE and WordPiece
// trainers (Hugging Face trains WordPiece the same way: BPE merges over "##"-prefixed pieces,
// keeping the resulting vocabulary). Words arrive with their counts; each round merges the most
// frequent adjacent pair. Pair counts are kept incrementally and the best pair comes from a lazy
// max-heap: a popped entry whose count is stale is pushed back with its true count (counts of
// existing pairs only ever fall; new pairs are pushed fresh).

export interface MergeWord {
  /** Initial symbols of the word, e.g. ['h', '##e', '##y'] or byte characters. */
  symbols: string[];
  count: number;
}

export interface MergeResult {
  /** Learned merges in order (rank = index). */
  merges: [string, string][];
  /** New tokens in order of creation (a + b, duplicates skipped). */
  newTokens: string[];
}

/** How two symbols join: BPE concatenates; WordPiece drops the right piece's "##". */
export type JoinFn = (left: string, right: string) => string;

const SHIFT = 2 ** 21; // pair key = left * SHIFT + right (symbol ids stay below 2^21)

interface HeapEntry { key: number; count: number }

class MaxHeap {
  private items: HeapEntry[] = [];
  constructor(private readonly before: (a: HeapEntry, b: HeapEntry) => boolean) {}
  get size(): number { return this.items.length; }
  push(e: HeapEntry): void {
    const a = this.items; a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]]; i = p;
    }
  }
  pop(): HeapEntry | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0]; const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1; let m = i;
        if (l < a.length && this.before(a[l], a[m])) m = l;
        if (r < a.length && this.before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]]; i = m;
      }
    }
    return top;
  }
}

/**
 * Learn up to `maxMerges` merges. `initial` lists the starting symbols (alphabet) in id order;
 * `isTaken(token)` says whether a candidate token already exists (e.g. a special token).
 * `shouldYield` lets a caller time-slice and follow progress (called once per merge, with the
 * merges learned so far; it may throw to stop training).
 */
export async function learnMerges(
  words: MergeWord[], initial: readonly string[], maxMerges: number, join: JoinFn,
  shouldYield?: (merges: number) => Promise<void>,
): Promise<MergeResult> {
  const symbolId = new Map<string, number>();
  const symbols: string[] = [];
  const intern = (s: string): number => {
    let id = symbolId.get(s);
    if (id === undefined) { id = symbols.length; symbols.push(s); symbolId.set(s, id); }
    return id;
  };
  initial.forEach(intern);
  const seqs: number[][] = words.map((w) => w.symbols.map(intern));
  const counts = words.map((w) => w.count);

  const pairCount = new Map<number, number>();
  const pairWhere = new Map<number, Set<number>>();
  const addPairs = (wi: number, sign: number): void => {
    const s = seqs[wi];
    for (let i = 0; i + 1 < s.length; i++) {
      const key = s[i] * SHIFT + s[i + 1];
      pairCount.set(key, (pairCount.get(key) ?? 0) + sign * counts[wi]);
      if (sign > 0) {
        let set = pairWhere.get(key);
        if (!set) { set = new Set(); pairWhere.set(key, set); }
        set.add(wi);
      }
    }
  };
  for (let wi = 0; wi < seqs.length; wi++) addPairs(wi, +1);

  // Ties broken by the pair's symbol ids (earlier-seen symbols first): deterministic.
  const heap = new MaxHeap((a, b) => a.count > b.count || (a.count === b.count && a.key < b.key));
  for (const [key, count] of pairCount) if (count > 0) heap.push({ key, count });

  const merges: [string, string][] = [];
  const newTokens: string[] = [];
  const seen = new Set<string>(initial);
  while (merges.length < maxMerges) {
    const top = heap.pop();
    if (!top) break;
    const actual = pairCount.get(top.key) ?? 0;
    if (actual !== top.count) { if (actual > 0) heap.push({ key: top.key, count: actual }); continue; }
    if (actual < 2) break; // a pair seen once teaches nothing
    const left = Math.floor(top.key / SHIFT), right = top.key % SHIFT;
    const merged = join(symbols[left], symbols[right]);
    const mergedId = intern(merged);
    merges.push([symbols[left], symbols[right]]);
    if (!seen.has(merged)) { seen.add(merged); newTokens.push(merged); }

    const where = pairWhere.get(top.key)!;
    pairWhere.delete(top.key);
    const touched = new Set<number>();
    for (const wi of where) {
      const s = seqs[wi];
      let found = false;
      for (let i = 0; i + 1 < s.length; i++) if (s[i] === left && s[i + 1] === right) { found = true; break; }
      if (!found) continue;
      addPairs(wi, -1);
      const out: number[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === left && s[i + 1] === right) { out.push(mergedId); i++; } else out.push(s[i]);
      }
      seqs[wi] = out;
      touched.add(wi);
    }
    const before = new Set<number>();
    for (const wi of touched) {
      const s = seqs[wi];
      for (let i = 0; i + 1 < s.length; i++) before.add(s[i] * SHIFT + s[i + 1]);
      addPairs(wi, +1);
    }
    for (const key of before) {
      if (!involves(key, mergedId)) continue;
      const c = pairCount.get(key) ?? 0;
      if (c > 0) heap.push({ key, count: c });
    }
    if (shouldYield) await shouldYield(merges.length);
  }
  return { merges, newTokens };
}

function involves(key: number, id: number): boolean {
  return Math.floor(key / SHIFT) === id || key % SHIFT === id;
}
