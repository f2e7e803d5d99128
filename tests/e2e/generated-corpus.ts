// A corpus big enough for the app's long phases to take a few seconds, generated in the test (no
// data file in the repository): about `mb` MB of numbered paragraphs of seeded syllable words, so
// import, BPE merges and shard encoding all have work.
import { writeFileSync } from 'node:fs';

export function writeSyllableCorpus(path: string, mb: number, seed: number): void {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 'an', 'el', 'or', 'us', 'qu', 'ix', 'dre', 'mon', '猫', '河'];
  let s = seed;
  // mulberry32
  const next = () => { s = (s + 0x6d2b79f5) | 0; let t = Math.imul(s ^ (s >>> 15), 1 | s); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32; };
  const word = () => Array.from({ length: 1 + Math.floor(next() * 4) }, () => syllables[Math.floor(next() * syllables.length)]).join('');
  const parts: string[] = [];
  let size = 0;
  for (let p = 0; size < mb * 1e6; p++) {
    const text = `${p} ${Array.from({ length: 60 }, word).join(' ')}.\n\n`;
    parts.push(text);
    size += Buffer.byteLength(text);
  }
  writeFileSync(path, parts.join(''));
}
