// The Runs page's "Import a Hugging Face checkpoint" form on the real engine: the BERT fixture
// folder becomes a run whose summary (architecture, parameters, tokenizer) is what the engine
// wrote to the run's import.json, the run shows in the list, and fill-mask answers on it; a folder
// that is not a checkpoint gets the engine's reason, naming the folder.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { openPage, startRunsBridge, type RunsBridge } from './run-helpers.ts';

let env: RunsBridge;
test.beforeAll(async () => {
  env = await startRunsBridge('import');
});
test.afterAll(async () => {
  await env?.stop();
});

test('a Hugging Face BERT folder imported from the Runs page becomes a run that fill-mask answers on', async ({ page }) => {
  await openPage(page, env.bridge.url, 'Runs');
  await page.getByRole('button', { name: 'Import a Hugging Face checkpoint…' }).click();
  const form = page.getByRole('form', { name: 'Import a Hugging Face checkpoint' });

  const notCheckpoint = mkdtempSync(join(tmpdir(), 'not-a-checkpoint-'));
  await form.getByRole('textbox', { name: 'Checkpoint folder' }).fill(notCheckpoint);
  await form.getByRole('button', { name: 'Import' }).click();
  await expect(form.getByRole('alert')).toContainText(`${notCheckpoint}: no config.json`);

  await form.getByRole('textbox', { name: 'Checkpoint folder' }).fill(resolve('tests/fixtures/hf/bert'));
  await form.getByRole('textbox', { name: 'Run name' }).fill('bert-imported');
  await form.getByRole('button', { name: 'Import' }).click();
  const summary = form.getByTestId('import-summary');
  await expect(summary).toContainText('Imported BertForMaskedLM');

  const runDir = join(env.runsDir, 'bert-imported');
  const written = JSON.parse(readFileSync(join(runDir, 'import.json'), 'utf8')) as { parameters: number; objective: string; tokenizer: { kind: string; vocabSize: number } };
  await expect(summary).toContainText(`${(written.parameters / 1e6).toFixed(2)}M parameters`);
  await expect(summary).toContainText(`as objective ${written.objective}`);
  await expect(summary).toContainText(`Tokenizer: ${written.tokenizer.kind}, ${written.tokenizer.vocabSize} tokens`);
  const row = page.locator('tr[data-run="bert-imported"]');
  await expect(row).toContainText('imported');
  await expect(page.getByRole('button', { name: 'Resume training' })).toHaveCount(0);

  // Importing the same name again is refused, naming the run folder.
  await form.getByRole('button', { name: 'Import' }).click();
  await expect(form.getByRole('alert')).toContainText(`${runDir} already holds a run`);
  await page.screenshot({ path: 'test-results/import.png', fullPage: true });

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Adapt', exact: true }).click();
  const fm = page.getByRole('region', { name: 'Fill-mask playground' });
  await fm.getByRole('combobox', { name: 'BERT run' }).selectOption(runDir);
  await fm.getByRole('button', { name: 'Predict' }).click();
  await expect(fm.getByRole('table', { name: 'Candidates for mask 1' }).getByRole('row')).toHaveCount(5);
  await expect(fm.getByRole('alert')).toHaveCount(0);
});
