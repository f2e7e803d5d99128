// Sentences → token ids → attention of every layer and head, as a snapshot (see snapshots.ts);
// for an encoder-decoder, each sentence framed as a (source, decoder input) pair.
import { CLS, type Seq2SeqTokenizers, SEP, sidesOf, type Tokenizer } from '../tokenizers';
import type { AttentionInspector } from './inspector';
import type { AttentionSnapshot } from './snapshots';

/** The sentences shown by default: Chinese and English. */
export const DEFAULT_SENTENCES = ['猫在垫子上睡觉', 'The cat sat on the mat'];

/** Default probes of a corpus mostly in one language (a character tokenizer knows no other script's letters). */
const PROBES_ZH = ['猫在垫子上睡觉', '今天天气很好'];
const PROBES_EN = ['The cat sat on the mat', 'It was a fine day'];

/**
 * The probe sentences for a corpus whose letters are `scripts`: Chinese ones when at least 80% of
 * its letters are Han, English ones when at least 80% are Latin, else one of each (the app's defaults).
 */
export function defaultProbes(scripts: { han: number; latin: number; otherLetters: number }): string[] {
  const letters = scripts.han + scripts.latin + scripts.otherLetters;
  if (letters > 0 && scripts.han / letters >= 0.8) return [...PROBES_ZH];
  if (letters > 0 && scripts.latin / letters >= 0.8) return [...PROBES_EN];
  return [...DEFAULT_SENTENCES];
}

/**
 * An encoder-decoder reads a pair: "source => target" gives both (a translation and its
 * reference); a sentence without " => " is its own target (what a denoiser writes back).
 */
export const PAIR_SEPARATOR = ' => ';

export function splitPair(text: string): { source: string; target: string } {
  const at = text.indexOf(PAIR_SEPARATOR);
  if (at < 0) return { source: text, target: text };
  return { source: text.slice(0, at).trim(), target: text.slice(at + PAIR_SEPARATOR.length).trim() };
}

/**
 * The pair framed as the encoder-decoder objectives train (objectives/bart.ts, seq2seq.ts, t5-span.ts):
 *   encoder   [CLS] source… [SEP]  (t5-span: source… [SEP], T5 has no start token on the encoder side)
 *   decoder   [CLS] target…        (the target shifted right: what teacher forcing feeds)
 * each cut to the context length; the source read by the source tokenizer, the target by the
 * target tokenizer (the same one unless the run has one per side).
 */
export function framePair(tokenizers: Tokenizer | Seq2SeqTokenizers, text: string, blockSize: number, objective?: string): { source: number[]; target: number[] } {
  const tok = sidesOf(tokenizers);
  const cls = tok.source.tokenToId(CLS), sep = tok.source.tokenToId(SEP);
  if (cls === undefined || sep === undefined) throw new Error(`attention inspection: the tokenizer has no ${CLS}/${SEP}, which the encoder-decoder objectives frame their rows with`);
  const pair = splitPair(text);
  const source = tok.source.encode(pair.source);
  const target = tok.target.encode(pair.target);
  if (source.length === 0 || target.length === 0) throw new Error(`attention inspection: "${text}" has no tokens on one side`);
  const encoder = objective === 't5-span' ? [...source.slice(0, blockSize - 1), sep] : [cls, ...source.slice(0, blockSize - 2), sep];
  return { source: encoder, target: [cls, ...target].slice(0, blockSize) };
}

export async function inspectSentences(
  inspector: AttentionInspector,
  /** The run's tokenizer, or an encoder-decoder's two (the target's labels the decoder and cross-attention rows). */
  tokenizers: Tokenizer | Seq2SeqTokenizers,
  texts: readonly string[],
  step: number,
  /** The run's objective: how an encoder-decoder frames its rows (see framePair). */
  objective?: string,
): Promise<AttentionSnapshot> {
  const { blockSize, nLayer, nHead, kind } = inspector.config;
  const sides = sidesOf(tokenizers);
  const tokenizer = sides.source;
  const tokensOf = (ids: readonly number[], tok = tokenizer) => ids.map((id) => tok.idToToken(id) ?? `<${id}>`);
  if (kind === 'encoder-decoder') {
    const pairs = await inspector.inspectPairs(texts.map((text) => framePair(sides, text, blockSize, objective)));
    return {
      step,
      nLayer,
      nHead,
      sentences: pairs.map((p, i) => ({
        text: texts[i],
        ids: p.source,
        tokens: tokensOf(p.source),
        layers: p.encoder,
        target: { ids: p.target, tokens: tokensOf(p.target, sides.target) },
        decoder: p.decoder,
        cross: p.cross,
      })),
    };
  }
  // An encoder sees its sentences as it trained on them: [CLS] … [SEP] (WordPiece's template).
  const encoded = texts.map((text) => {
    const e = kind === 'encoder' ? tokenizer.encodeWithSpecials(text) : { ids: tokenizer.encode(text), typeIds: [] };
    if (e.ids.length === 0) throw new Error(`attention inspection: "${text}" has no tokens`);
    return { ids: e.ids.slice(0, blockSize), typeIds: e.typeIds.slice(0, blockSize) };
  });
  const results = await inspector.inspect(encoded.map((e) => e.ids), encoded.map((e) => e.typeIds));
  return {
    step,
    nLayer,
    nHead,
    sentences: results.map((r, i) => ({
      text: texts[i],
      ids: r.ids,
      tokens: r.ids.map((id) => tokenizer.idToToken(id) ?? `<${id}>`),
      layers: r.layers,
    })),
  };
}
