// The Model page's Pairs panel on the real engine: a dropped TSV of English–Chinese pairs, the
// seq2seq objective, pairs from table rows with one tokenizer, then a tokenizer per side. The
// batch preview equals the engine's batch.preview answer for the same settings (targets through
// the target tokenizer), and a run started from the Train page keeps both tokenizers in its
// folder (target_tokenizer.json, config.json's decoder_vocab_size).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { askEngine, dropFiles, startRunsBridge, type RunsBridge } from './run-helpers.ts';

let env: RunsBridge;
test.beforeAll(async () => {
  env = await startRunsBridge('pairs');
});
test.afterAll(async () => {
  await env?.stop();
});

const ROWS = Array.from({ length: 40 }, (_, i) => [`I have ${i} cats.`, `我有${i}只猫。`]);
// cmn-eng.tsv's header: no usual text column name, so the Corpus page guesses one (and says so); the pairs are its first two columns.
const TSV = ['english\tchinese', ...ROWS.map(([e, z]) => `${e}\t${z}`)].join('\n') + '\n';

interface Chip { text: string }
interface PreviewAnswer { rows: { kind: string; inputs: Chip[]; targets: Chip[] }[]; vocabSize: number; targetVocabSize?: number }

/** A chip's label back to its text (the page shows spaces, newlines and tabs visibly). */
const unshow = (label: string) => label.replaceAll('␣', ' ').replaceAll('↵', '\n').replaceAll('⇥', '\t');

/** The preview's rows as the page shows them: each example's input and target chips, as text. */
async function shownRows(page: Page): Promise<{ inputs: string[]; targets: string[] }[]> {
  const examples = await page.getByTestId('batch-preview').locator('.example[data-kind="denoise"]').all();
  return Promise.all(examples.map(async (e) => ({
    inputs: (await e.locator('.inputs .chip .text').allInnerTexts()).map(unshow),
    targets: (await e.locator('.targets .chip .text').allInnerTexts()).map(unshow),
  })));
}

test('Pairs panel: rows of a TSV, one tokenizer or one per side; the preview is the engine\'s; a run keeps both tokenizers', async ({ page }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(env.bridge.url);
  const files = page.getByTestId('corpus-file');
  await expect(files.filter({ hasText: 'sample-en.txt' })).toContainText('ok');
  for (const name of ['sample-en.txt', 'sample-zh.txt', 'sample-reviews.tsv', 'sample-reviews-zh.csv']) {
    await page.getByRole('button', { name: `Remove ${name}` }).click();
  }
  await expect(files).toHaveCount(0);
  await dropFiles(page, [{ name: 'pairs.tsv', text: TSV }]);
  await expect(files.filter({ hasText: 'pairs.tsv' })).toContainText('ok');
  await expect(files.filter({ hasText: 'pairs.tsv' }).getByTestId('corpus-note')).toContainText('text column "english" (guessed from the rows');

  await page.getByRole('button', { name: 'Model & objective', exact: true }).click();
  await page.getByTestId('objective-seq2seq').getByRole('radio').check();
  const panel = page.getByTestId('paired-files');
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('radio', { name: /Rows of tables/ })).toBeChecked();
  await expect(panel.getByTestId('tokenizer-shared')).toBeChecked();

  // One tokenizer: sources in the encoder row, targets in the decoder row.
  const preview = page.getByTestId('batch-preview');
  await expect(preview.locator('.example[data-kind="denoise"]')).toHaveCount(2, { timeout: 60_000 });
  const shared = await shownRows(page);
  for (const r of shared) {
    expect(r.inputs[0]).toBe('[CLS]');
    expect(r.targets.join('')).toMatch(/^我有\d+只猫。\[SEP\]$/);
  }
  const sharedVocab = await page.getByText(/training tokens, .* validation tokens, vocabulary \d+/).textContent();

  // A tokenizer per side: the preview is drawn again, through the source and the target tokenizers.
  await panel.getByTestId('tokenizer-per-side').check();
  await expect(page.getByText(/training tokens, .* validation tokens, vocabulary \d+/)).not.toHaveText(sharedVocab!, { timeout: 60_000 });
  await expect(preview).toHaveAttribute('aria-busy', 'false');
  const perSide = await shownRows(page);
  // The page's settings: the tiny preset's (document split, seed 1337), the corpus page's defaults, 24-token rows.
  const listed = await askEngine<{ files: { name: string; path: string }[] }>(env.bridge, 'corpus.list', {});
  const tsvPath = listed.files.find((f) => f.name === 'pairs.tsv')!.path;
  const engine = await askEngine<PreviewAnswer>(env.bridge, 'batch.preview', {
    objective: 'seq2seq', corpus: [tsvPath], tokenizer: 'char', vocabSize: 4096, sharedTokenizer: false,
    valFraction: 0.1, split: 'document', blockSize: 24, rows: 2, seed: 1337,
  });
  expect(perSide).toEqual(engine.rows.map((r) => ({ inputs: r.inputs.map((c) => c.text), targets: r.targets.map((c) => c.text) })));
  for (const r of perSide) {
    expect(r.inputs.slice(1, -1).join('')).toMatch(/^I have \d+ cats\.$/);
    expect(r.targets.join('')).toMatch(/^我有\d+只猫。\[SEP\]$/);
  }
  // The source vocabulary alone is smaller than the joint one (no Chinese characters in it).
  const vocab = (t: string | null) => Number(/vocabulary (\d+)/.exec(t ?? '')![1]);
  expect(vocab(await page.getByText(/training tokens, .* validation tokens, vocabulary \d+/).textContent())).toBeLessThan(vocab(sharedVocab));
  // The size estimate counts the encoder's table at the source vocabulary, the decoder's at the target's.
  expect(engine.targetVocabSize).toBeGreaterThan(0);
  await expect(page.getByText(`Vocabulary ${engine.vocabSize} source (encoder), ${engine.targetVocabSize} target (decoder and LM head)`)).toBeVisible();

  // A run from the Train page takes the choice: both tokenizers in its folder.
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByText('Settings for a new run').click();
  for (const [label, value] of [['Layers', '1'], ['Heads', '2'], ['Width', '32'], ['Context', '32'], ['Batch size', '4'], ['Steps', '20'], ['Evaluate every', '10']]) {
    await page.getByLabel(label, { exact: true }).fill(value);
  }
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', /running|finished/, { timeout: 90_000 });
  const runs = await askEngine<{ runs: { runDir: string; objective: string }[] }>(env.bridge, 'run.list', {});
  const runDir = runs.runs.find((r) => r.objective === 'seq2seq')?.runDir;
  expect(runDir).toBeTruthy();
  expect(existsSync(join(runDir!, 'target_tokenizer.json'))).toBe(true);
  const config = JSON.parse(readFileSync(join(runDir!, 'config.json'), 'utf8')) as Record<string, unknown>;
  expect(config.share_encoder_decoder_embeddings).toBe(false);
  expect(config.decoder_vocab_size).toBeGreaterThan(0);
  if (await page.getByRole('button', { name: 'Stop' }).isVisible()) await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', /stopped|finished/, { timeout: 90_000 });
  expect(errors).toEqual([]);
});
