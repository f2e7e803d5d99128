// What BatchPreview draws: one training example "as the model sees it", for each objective.
import type { TokenView } from './tokenDisplay.ts';

/** How an input position was altered for the objective. */
export type TokenMark = 'mask' | 'random' | 'kept' | 'sentinel' | 'pad';

export interface MarkedToken extends TokenView {
  mark?: TokenMark;
}

/**
 * Causal LM (GPT): position i reads inputs[0..i] and must predict targets[i], the next token of the
 * text (inputs shifted left by one). A null target is ignored by the loss (padding).
 */
export interface CausalRow {
  kind: 'causal';
  inputs: TokenView[];
  targets: (TokenView | null)[]; // same length as inputs
}

/**
 * Masked LM (BERT): inputs with ~15% of positions selected; a selected position shows [MASK]
 * (mark 'mask'), a random token ('random') or itself ('kept'). labels[i] is the original token at
 * selected positions and null elsewhere (not in the loss). `nsp` is the next-sentence label when
 * the pair was built for next-sentence prediction.
 */
export interface MaskedRow {
  kind: 'mlm';
  inputs: MarkedToken[];
  labels: (TokenView | null)[]; // same length as inputs
  nsp?: { isNext: boolean };
}

/**
 * Denoising (T5 span corruption / BART infilling): the encoder reads `inputs` with spans replaced
 * by sentinels (mark 'sentinel', e.g. <extra_id_0>) or a single [MASK]; the decoder must produce
 * `targets` (T5: each sentinel followed by the span it hid; BART: the whole original text).
 */
export interface DenoiseRow {
  kind: 'denoise';
  inputs: MarkedToken[];
  targets: MarkedToken[];
}

export type BatchRow = CausalRow | MaskedRow | DenoiseRow;

/** The causal row for a window of T + 1 tokens: inputs are the first T, targets the last T. */
export function causalRow(window: readonly TokenView[]): CausalRow {
  if (window.length < 2) throw new Error(`causalRow: needs at least 2 tokens, got ${window.length}`);
  return { kind: 'causal', inputs: window.slice(0, -1), targets: window.slice(1) };
}
