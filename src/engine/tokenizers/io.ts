// tokenizer.json on disk (atomic write; pretty-printed like the files on the Hugging Face Hub).
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../runstore/atomic';
import { Tokenizer } from './tokenizer';

export function saveTokenizer(tok: Tokenizer, path: string): void {
  writeFileAtomic(path, JSON.stringify(tok.json, null, 2) + '\n');
}

export async function loadTokenizer(path: string): Promise<Tokenizer> {
  return Tokenizer.fromString(await readFile(path, 'utf8'));
}
