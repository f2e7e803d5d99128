// @vitest-environment happy-dom
// The Model page's Pairs panel for paired objectives (seq2seq): table rows by default, or two
// line-aligned files of the corpus, which become the run's --corpus and --targetCorpus (and the
// batch preview's); the panel says what is missing before the pair is usable.
import { flushSync } from 'svelte';
import { afterEach, expect, test } from 'vitest';
import type { ObjectiveInfoWire } from '../../../src/protocol/commands/model-objectives.ts';
import PairedFiles from '../../../src/renderer/pages/model/PairedFiles.svelte';
import type { StudioApi } from '../../../src/renderer/api/index.ts';
import type { CorpusState } from '../../../src/renderer/state/corpus.svelte.ts';
import { ModelState } from '../../../src/renderer/state/model.svelte.ts';
import { ObjectiveCatalog } from '../../../src/renderer/state/objectives.svelte.ts';
import { expectAccessibleControls, render } from './mount.ts';

const charts = { loss: [], perplexity: [], accuracy: [] };
const LIST: ObjectiveInfoWire[] = [
  { id: 'clm', title: 'Causal LM', family: 'GPT', summary: '', modelKind: 'decoder', heads: ['lm'], available: true, paired: false, metrics: [], samples: null, charts },
  { id: 'seq2seq', title: 'Sequence to sequence', family: 'translation', summary: '', modelKind: 'encoder-decoder', heads: ['lm'], available: true, paired: true, metrics: [], samples: null, charts },
];
const files = ['/data/pairs.tsv', '/data/train.en.txt', '/data/train.zh.txt'];

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

async function state(): Promise<ModelState> {
  const api = { call: async () => ({ objectives: LIST }) } as unknown as StudioApi;
  const catalog = new ObjectiveCatalog(api);
  await catalog.load();
  const corpus = { importedPaths: files, tokenizerKind: 'char', vocabSize: 4096, valFraction: 0.1 } as unknown as CorpusState;
  const model = new ModelState(api, corpus, catalog);
  model.objective = 'seq2seq';
  return model;
}

test('table rows by default; two chosen files become corpus and targetCorpus; a plain-text objective ignores them', async () => {
  const model = await state();
  expect(model.objectivePaired).toBe(true);
  expect(model.trainOptions()).toMatchObject({ corpus: files, targetCorpus: [] });
  model.pairsFrom = 'lines';
  model.lineSource = files[1];
  expect(model.lineFiles).toBeNull(); // no target yet
  model.lineTarget = files[1];
  expect(model.lineFiles).toBeNull(); // the same file twice
  model.lineTarget = files[2];
  expect(model.trainOptions()).toMatchObject({ corpus: [files[1]], targetCorpus: [files[2]] });
  model.objective = 'clm';
  expect(model.trainOptions()).toMatchObject({ corpus: files, targetCorpus: [] });
});

test('the panel offers both sources of pairs, lists the corpus files and says what is missing', async () => {
  const model = await state();
  const r = render(PairedFiles, { model });
  cleanup.push(() => r.destroy());
  expect(r.target.querySelector('[data-testid="pairs-source"]')).toBeNull();
  model.pairsFrom = 'lines';
  flushSync();
  const source = r.target.querySelector('[data-testid="pairs-source"]') as HTMLSelectElement;
  expect([...source.options].map((o) => o.textContent)).toEqual(['choose…', 'pairs.tsv', 'train.en.txt', 'train.zh.txt']);
  expect(r.target.textContent).toContain('Choose the source file and the target file.');
  model.lineSource = files[1];
  model.lineTarget = files[2];
  flushSync();
  expect(r.target.textContent).toContain('Files whose line counts differ are refused');
  expect(expectAccessibleControls(r.target)).toBeGreaterThanOrEqual(4);
});

test('one tokenizer by default; the per-side radio makes the run and the preview ask for a tokenizer per side; a plain-text objective never does', async () => {
  const model = await state();
  const r = render(PairedFiles, { model });
  cleanup.push(() => r.destroy());
  const shared = r.target.querySelector('[data-testid="tokenizer-shared"]') as HTMLInputElement;
  const perSide = r.target.querySelector('[data-testid="tokenizer-per-side"]') as HTMLInputElement;
  expect(shared.checked).toBe(true);
  expect(model.trainOptions().sharedTokenizer).toBe(true);
  perSide.click();
  flushSync();
  expect(model.sharedTokenizer).toBe(false);
  expect(model.trainOptions().sharedTokenizer).toBe(false);
  model.objective = 'clm';
  expect(model.trainOptions().sharedTokenizer).toBe(true);
});

test('the size estimate asks for the target vocabulary only with a tokenizer per side: the preview\'s target tokenizer, else assumed the source\'s', async () => {
  const model = await state();
  expect(model.shape.targetVocabSize).toBeUndefined();
  model.sharedTokenizer = false;
  expect(model.shape).toMatchObject({ vocabSize: 256, targetVocabSize: 256 }); // char, nothing trained yet
  model.preview = { rows: [], scheme: 'plain', vocabSize: 70, targetVocabSize: 1234, trainTokens: 0, valTokens: 0 };
  expect(model.shape).toMatchObject({ vocabSize: 70, targetVocabSize: 1234 });
  model.sharedTokenizer = true;
  expect(model.shape.targetVocabSize).toBeUndefined();
  model.sharedTokenizer = false;
  model.objective = 'clm';
  expect(model.shape.targetVocabSize).toBeUndefined();
});
