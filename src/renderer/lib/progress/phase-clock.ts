// When a long phase began, as this page saw it: the progress bar's ETA is the rate since then.
// A page that opens mid-phase starts its clock at the fraction it first sees, not at zero.

export interface PhaseStart {
  /** Which phase (e.g. a run's 'tokenizer', or a corpus entry's id). */
  key: string;
  /** performance.now() when first seen. */
  at: number;
  /** Its fraction then. */
  fraction: number;
}

/** The phase's start: kept while `key` stays the same (and the fraction does not go back), else now. */
export function phaseStart(prev: PhaseStart | null, key: string, fraction: number | undefined, now = performance.now()): PhaseStart {
  const f = fraction ?? 0;
  if (prev && prev.key === key && f >= prev.fraction) return prev;
  return { key, at: now, fraction: f };
}
