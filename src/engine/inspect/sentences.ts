// Sentences → token ids → attention of every layer and head, as a snapshot (see snapshots.ts).
import type { Tokenizer } from '../tokenizers';
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

export async function inspectSentences(
  inspector: AttentionInspector,
  tokenizer: Tokenizer,
  texts: readonly string[],
  step: number,
): Promise<AttentionSnapshot> {
  const { blockSize, nLayer, nHead, kind } = inspector.config;
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
