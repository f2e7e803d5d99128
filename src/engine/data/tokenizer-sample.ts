// Which documents a BPE or WordPiece tokenizer trains on (tokenizer training's memory bound).
/**
 * BPE and WordPiece count every word of what they train on, so their memory grows with the
 * corpus: past --tokenizerSampleMB they train on every k-th document (k = 1: all of it). A char
 * tokenizer reads everything (its counts are one per distinct character), so no character is
 * left out of its vocabulary.
 */
export function tokenizerSampleEvery(o: { tokenizer: string; tokenizerSampleMB: number }, corpusBytes: number): number {
  if (o.tokenizer === 'char') return 1;
  return Math.max(1, Math.ceil(corpusBytes / (o.tokenizerSampleMB * 1e6)));
}

export async function* everyNth(texts: AsyncIterable<string>, every: number): AsyncGenerator<string> {
  let i = 0;
  for await (const t of texts) if (i++ % every === 0) yield t;
}
