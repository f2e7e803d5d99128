// The corpora the demo models learn from, made from the shared reference datasets. English is
// tinyshakespeare.txt as it is. Chinese is 红楼梦 (one paragraph a line there, so each line
// becomes a blank-line paragraph: the importer's documents, which BERT's sentence pairs need)
// followed by the Chinese side of the Tatoeba pairs, four sentences to a paragraph, for the
// modern words of the tour's sentences (猫, 睡觉, 巴黎, 天气). The Chinese file is written to
// .cache/ (git-ignored): it is a derived copy of the datasets, never committed.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetsDir } from './config.ts';

export interface DemoCorpora {
  english: string;
  chinese: string;
}

const SENTENCES_PER_PARAGRAPH = 4;

function need(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: the demo models are trained on the shared datasets (set PRETRAIN_STUDIO_DATASETS to their folder)`);
  return path;
}

/** The Chinese demo corpus's text, from the two shared files (deterministic). */
export function chineseCorpusText(datasets: string): string {
  const novel = readFileSync(need(join(datasets, 'hongloumeng.txt')), 'utf8')
    .split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  // english<TAB>chinese<TAB>attribution, a header row, no quoting.
  const rows = readFileSync(need(join(datasets, 'cmn-eng.tsv')), 'utf8').split(/\r?\n/).slice(1);
  const chinese = rows.map((r) => (r.split('\t')[1] ?? '').trim()).filter((s) => s.length > 0);
  const groups: string[] = [];
  for (let i = 0; i < chinese.length; i += SENTENCES_PER_PARAGRAPH) groups.push(chinese.slice(i, i + SENTENCES_PER_PARAGRAPH).join(''));
  return [...novel, ...groups].join('\n\n') + '\n';
}

/** Writes (or finds, unchanged) the Chinese corpus under <repo>/.cache/demo-corpora and returns both paths. */
export function demoCorpora(repoRoot: string): DemoCorpora {
  const datasets = datasetsDir(repoRoot);
  const english = need(join(datasets, 'tinyshakespeare.txt'));
  const dir = join(repoRoot, '.cache', 'demo-corpora');
  mkdirSync(dir, { recursive: true });
  const chinese = join(dir, 'chinese.txt');
  const text = chineseCorpusText(datasets);
  if (!existsSync(chinese) || readFileSync(chinese, 'utf8') !== text) writeFileSync(chinese, text);
  return { english, chinese };
}
