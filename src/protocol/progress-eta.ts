// Time left of a long phase (import, tokenizer training, shard building), for the CLI's line and
// the app's progress bar alike: the part still to do at the rate seen so far.

/**
 * `fraction` of the phase is done after `elapsedMs` of watching it, which began at
 * `startFraction` (0 when watched from its start; more for a page that opened mid-phase):
 * ETA = elapsed × (1 − fraction) / (fraction − startFraction). NaN until there is a rate, and
 * once the phase is done.
 */
export function phaseEtaMs(fraction: number, elapsedMs: number, startFraction = 0): number {
  const done = fraction - startFraction;
  if (!(fraction < 1) || !(done > 0) || !(elapsedMs > 0)) return NaN;
  return (elapsedMs * (1 - fraction)) / done;
}
