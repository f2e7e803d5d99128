// Writes the importer's fuzz corpus: one small file per kind of bad or unusual input a person may
// drop on the app, plus a 50 MB single line. Generated (deterministically: a fixed-seed PRNG), not
// committed, so the repository holds no binary fixtures. The expected outcome of each file is in
// tests/unit/data/fuzz-import.test.ts, next to the checks.
//   node --import tsx scripts/make-fuzz-corpus.ts <folder> [--no-big]
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import iconv from 'iconv-lite';

/** Name of the 50 MB one-line file. */
export const BIG_LINE_FILE = 'one-line-50mb.txt';
export const BIG_LINE_BYTES = 50_000_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const utf16be = (s: string) => {
  const le = Buffer.from(s, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) { const x = le[i]; le[i] = le[i + 1]; le[i + 1] = x; }
  return le;
};

// Each UTF-16 file fills in its own word, so no paragraph is a duplicate of another file's.
const mixed = (w: string) => `The Story of the Stone, ${w} copy.\n\n红楼梦，又名石头记（${w}）。\n\nA third paragraph of the ${w} copy, in English again.\n`;
const ZH = '满纸荒唐言，一把辛酸泪。\n\n都云作者痴，谁解其中味？\n';

/** The small files, by name: what each contains is the point of the case. */
export function fuzzFiles(): Record<string, Uint8Array | string> {
  const rand = mulberry32(20);
  const binary = new Uint8Array(4096);
  for (let i = 0; i < binary.length; i++) binary[i] = Math.floor(rand() * 256);
  binary.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0); // a PNG signature
  const truncated = Buffer.from('A complete first paragraph.\n\n末尾被截断了');
  return {
    'binary.txt': binary,
    'empty.txt': '',
    'whitespace-only.txt': ' \n\t\n   \r\n\n',
    'invalid-utf8-middle.txt': Buffer.concat([Buffer.from('First paragraph is fine.\n\nThe second has a bad byte '), Buffer.from([0xff]), Buffer.from(' in it.\n\nThe third is fine.\n')]),
    'utf8-truncated-end.txt': truncated.subarray(0, truncated.length - 1), // the last 了 loses its last byte
    'gbk.txt': iconv.encode('第一回　甄士隐梦幻识通灵。\n\n此开卷第一回也。作者自云：因曾历过一番梦幻之后。\n', 'gb18030'),
    'utf16le-bom.txt': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(mixed('two'), 'utf16le')]),
    'utf16le-no-bom.txt': Buffer.from(mixed('three'), 'utf16le'),
    'utf16be-bom.txt': Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(mixed('four'))]),
    'utf16be-no-bom.txt': utf16be(mixed('five')),
    'utf16le-no-bom-chinese.txt': Buffer.from(ZH, 'utf16le'),
    // A control character and a lone surrogate (0xD800 with no partner): reported with file offsets.
    'utf16le-damaged.txt': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Good line.\n\nA bell\u0007 here.\n\ud800after\n', 'utf16le')]),
    'utf16le-odd-length.txt': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Odd length file.\n', 'utf16le'), Buffer.from([0x42])]),
    'crlf.txt': 'CRLF paragraph, line one\r\nline two\r\n\r\nCRLF second paragraph\r\n',
    'lone-cr.txt': 'Old Mac line one\rOld Mac line two\r\rOld Mac second paragraph\r',
    'nul-inside.txt': 'Text with a NUL\u0000 inside.\n\nAnother NUL-free paragraph.\n',
    'controls-zero-width.txt': 'Bell\u0007 and escape\u001b[0m, DEL\u007f, C1\u0085 and a stray BOM\ufeff; zero\u200bwidth space and joiner \u200d kept.\n',
    'csv-unclosed-quote.csv': 'text,label\nfine row,1\n"this quote is never closed,0\nmore text\n',
    'csv-ragged.csv': 'text,label\nok row,1\nshort\nextra row,1,surplus\n\n"quoted, with a comma",0\n',
    'jsonl-broken.jsonl': [
      '{"text": "good line one"}', '{"text": "unterminated', 'not json at all', '[1, 2, 3]', '{"body": "wrong field"}', '{"text": 42}', '', '{"text": "good line two", "label": "x"}',
    ].join('\n') + '\n',
    // No column named text, sentence, … and none holding text to guess (text-column.ts).
    'csv-wrong-column.csv': 'id,score\n1,0.5\n2,0.75\n',
    'jsonl-no-text-field.jsonl': '{"content": "a"}\n{"content": "b"}\n',
    'nested/readme.pdf': '%PDF-1.4 not a format we read',
  };
}

/** One line of numbered English sentences (distinct, so none is a duplicate), `bytes` long. */
export async function writeBigLine(path: string, bytes = BIG_LINE_BYTES): Promise<void> {
  const out = createWriteStream(path);
  let written = 0, n = 0;
  while (written < bytes) {
    const parts: string[] = [];
    let size = 0;
    while (size < 1 << 20 && written + size < bytes) {
      const s = `Sentence ${n++} of a very long line goes on. `;
      parts.push(s); size += s.length;
    }
    let chunk = parts.join('');
    if (written + chunk.length > bytes) chunk = chunk.slice(0, bytes - written);
    if (!out.write(chunk)) await once(out, 'drain');
    written += chunk.length;
  }
  out.end();
  await once(out, 'finish');
}

export async function makeFuzzCorpus(dir: string, opts: { big?: boolean } = {}): Promise<string[]> {
  const names: string[] = [];
  for (const [name, content] of Object.entries(fuzzFiles())) {
    const p = join(dir, name);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, content);
    names.push(name);
  }
  if (opts.big !== false) { await writeBigLine(join(dir, BIG_LINE_FILE)); names.push(BIG_LINE_FILE); }
  return names;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) { process.stderr.write('usage: node --import tsx scripts/make-fuzz-corpus.ts <folder> [--no-big]\n'); process.exit(2); }
  mkdirSync(dir, { recursive: true });
  const names = await makeFuzzCorpus(dir, { big: !process.argv.includes('--no-big') });
  process.stdout.write(`${names.length} files in ${dir}\n`);
}
