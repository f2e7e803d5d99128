// A run's tokenizers on disk. One tokenizer.json for every run; a seq2seq run with one tokenizer
// per side (sharedTokenizer false) keeps its source tokenizer there and its target tokenizer in
// target_tokenizer.json beside it (both Hugging Face tokenizers format), so everything that reads
// tokenizer.json alone still reads the encoder's side.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadTokenizer, saveTokenizer, type Tokenizer } from '../tokenizers';
import { TOKENIZER_FILE } from './run-folder';

export const TARGET_TOKENIZER_FILE = 'target_tokenizer.json';

export interface RunTokenizers {
  /** What the encoder reads (every run's tokenizer.json). */
  source: Tokenizer;
  /** What the decoder reads and writes: target_tokenizer.json, else the same tokenizer as `source`. */
  target: Tokenizer;
  /** Whether the run has a target tokenizer of its own. */
  separate: boolean;
}

/** Writes tokenizer.json, and target_tokenizer.json when the run has a target tokenizer of its own. */
export function saveRunTokenizers(runDir: string, source: Tokenizer, target?: Tokenizer): void {
  saveTokenizer(source, join(runDir, TOKENIZER_FILE));
  if (target) saveTokenizer(target, join(runDir, TARGET_TOKENIZER_FILE));
}

export async function loadRunTokenizers(runDir: string): Promise<RunTokenizers> {
  const source = await loadTokenizer(join(runDir, TOKENIZER_FILE));
  const targetPath = join(runDir, TARGET_TOKENIZER_FILE);
  if (!existsSync(targetPath)) return { source, target: source, separate: false };
  return { source, target: await loadTokenizer(targetPath), separate: true };
}
