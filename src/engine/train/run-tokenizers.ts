// A run's tokenizers on disk. One tokenizer.json for every run; a seq2seq run with one tokenizer
// per side (sharedTokenizer false) keeps its source tokenizer there and its target tokenizer in
// target_tokenizer.json beside it (both Hugging Face tokenizers format), so everything that reads
// tokenizer.json alone still reads the encoder's side.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../runstore/atomic';
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

/**
 * Copies a run's tokenizer files into another run folder made from it (a fine-tune, a merged
 * copy), byte for byte and each atomically: tokenizer.json, and target_tokenizer.json when the run
 * has one, so the copy decodes each side as the run did. Returns the file names copied.
 */
export function copyRunTokenizers(fromDir: string, toDir: string): string[] {
  const names = [TOKENIZER_FILE, ...(existsSync(join(fromDir, TARGET_TOKENIZER_FILE)) ? [TARGET_TOKENIZER_FILE] : [])];
  for (const name of names) writeFileAtomic(join(toDir, name), readFileSync(join(fromDir, name)));
  return names;
}
