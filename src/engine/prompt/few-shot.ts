// Prompts for classifying by prompting (GPT-3's in-context learning): a template with {text}, a
// label word per class, and K labeled demonstrations per class before the query.
//
//   demonstration  = template(text) + word(label) + separator        (separator default "\n\n")
//   prompt         = demonstration_1 … demonstration_n + template(query)
//
// The model reads each piece tokenized on its own and the ids concatenated (so a prefix of fixed
// demonstrations is fed once and shared by every query); the text shown is the pieces joined.
// When the prompt plus the longest label word exceeds the context, the first demonstrations are
// dropped one by one, then the query's text is cut at its end, and every cut is said.
import { SeededRng } from '../generate/rng';
import type { LabeledExample } from './labeled';

export interface PromptFormat {
  /** Text around each input; `{text}` marks where it goes (e.g. "Review: {text}\nSentiment:"). */
  template: string;
  /** The classes in order, as the labeled file writes them ('0', '1' …). */
  classes: readonly string[];
  /** The label word appended verbatim for each class (e.g. " negative", " positive": mind the space). */
  words: readonly string[];
  /** Between demonstrations (default "\n\n"). */
  separator?: string;
}

export interface Codec {
  encode(text: string): number[];
}

export function checkFormat(f: PromptFormat): void {
  if (!f.template.includes('{text}')) throw new Error(`prompt template ${JSON.stringify(f.template)} has no {text}`);
  if (f.classes.length < 2) throw new Error(`prompt: at least two classes are needed, got ${f.classes.length}`);
  if (f.words.length !== f.classes.length) throw new Error(`prompt: ${f.classes.length} classes but ${f.words.length} label words`);
  const dup = f.classes.find((c, i) => f.classes.indexOf(c) !== i);
  if (dup !== undefined) throw new Error(`prompt: class '${dup}' is given twice`);
  f.words.forEach((w, i) => { if (w === '') throw new Error(`prompt: class '${f.classes[i]}' has an empty label word`); });
}

/** The template with the input in place. */
export function renderQuery(f: PromptFormat, text: string): string {
  return f.template.replaceAll('{text}', text);
}

/** One demonstration: the rendered input, its label word and the separator. */
export function renderDemonstration(f: PromptFormat, ex: Pick<LabeledExample, 'text' | 'label'>): string {
  const c = f.classes.indexOf(ex.label);
  if (c < 0) throw new Error(`prompt: a demonstration has class '${ex.label}', which has no label word (classes: ${f.classes.join(', ')})`);
  return renderQuery(f, ex.text) + f.words[c] + (f.separator ?? '\n\n');
}

/** Fisher–Yates with the sampling RNG, so a seed gives the same order everywhere. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const rng = new SeededRng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * K demonstrations per class from `pool`, chosen at random (seeded) and balanced; in 'shuffled'
 * order (seeded) or 'grouped' class by class. A class with fewer than K examples is refused.
 */
export function selectDemonstrations(pool: readonly LabeledExample[], classes: readonly string[], k: number, seed: number, order: 'shuffled' | 'grouped' = 'shuffled'): LabeledExample[] {
  if (!(Number.isInteger(k) && k >= 0)) throw new Error(`few-shot: K must be a whole number >= 0, got ${k}`);
  if (k === 0) return [];
  const picked = classes.map((c, i) => {
    const of = pool.filter((e) => e.label === c);
    if (of.length < k) throw new Error(`few-shot: class '${c}' has ${of.length} examples in the demonstration pool, K is ${k}`);
    return seededShuffle(of, seed * 7919 + i).slice(0, k);
  });
  return order === 'grouped' ? picked.flat() : seededShuffle(picked.flat(), seed);
}

export interface BuiltPrompt {
  /** The exact prompt text (demonstrations then the query), as shown to a person. */
  text: string;
  /** What the model reads: each piece's ids, concatenated. */
  ids: number[];
  /** How many leading ids are the demonstrations (the shareable prefix). */
  prefixLength: number;
  /** The demonstrations that fit, in order. */
  demonstrations: LabeledExample[];
  /** What was cut to fit the context, one line each ([] when nothing was). */
  cut: string[];
}

/**
 * The prompt for `query` after `demos`, fitted into `budget` tokens (the context minus the
 * longest label word): drops demonstrations from the front, then cuts the query's text at its end.
 */
export function buildPrompt(codec: Codec, f: PromptFormat, demos: readonly LabeledExample[], query: string, budget: number): BuiltPrompt {
  const pieces = demos.map((d) => ({ demo: d, text: renderDemonstration(f, d), ids: codec.encode(renderDemonstration(f, d)) }));
  let queryText = query;
  let queryIds = codec.encode(renderQuery(f, queryText));
  const cut: string[] = [];
  let total = pieces.reduce((s, p) => s + p.ids.length, 0) + queryIds.length;
  let dropped = 0;
  while (total > budget && dropped < pieces.length) {
    total -= pieces[dropped].ids.length;
    const d = pieces[dropped].demo;
    cut.push(`dropped demonstration ${dropped + 1} of ${pieces.length} (line ${d.line}, class ${d.label}, ${pieces[dropped].ids.length} tokens)`);
    dropped++;
  }
  if (total > budget) {
    // Even alone the query is too long: keep the longest start of its text that fits.
    let lo = 0, hi = query.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (codec.encode(renderQuery(f, query.slice(0, mid))).length <= budget) lo = mid; else hi = mid - 1;
    }
    if (codec.encode(renderQuery(f, query.slice(0, lo))).length > budget) throw new Error(`prompt: the template alone is ${codec.encode(renderQuery(f, '')).length} tokens, more than the ${budget} the context leaves`);
    cut.push(`cut the input's last ${query.length - lo} of ${query.length} characters`);
    queryText = query.slice(0, lo);
    queryIds = codec.encode(renderQuery(f, queryText));
  }
  const kept = pieces.slice(dropped);
  const prefix = kept.flatMap((p) => p.ids);
  return {
    text: kept.map((p) => p.text).join('') + renderQuery(f, queryText),
    ids: [...prefix, ...queryIds],
    prefixLength: prefix.length,
    demonstrations: kept.map((p) => p.demo),
    cut,
  };
}
