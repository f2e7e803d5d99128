// The Adapt page's prompt playground on the real engine: a GPT-2 imported from the Hugging Face
// fixture folder (npm run import), text streamed into the page equal to the engine's
// prompt.generate answer for the same seed, the token ids on demand, and Cancel ending a long
// generation early; then zero- and few-shot classification of a small labeled file with the
// accuracy per K equal to the engine's prompt.classify answer, and the exact prompt previewed.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { TestClient } from './bridge.ts';
import { openPage, startRunsBridge, type RunsBridge } from './run-helpers.ts';

let env: RunsBridge;
let runDir: string;
test.beforeAll(async () => {
  env = await startRunsBridge('prompt');
  runDir = join(env.runsDir, 'gpt2-tiny');
  execFileSync(process.execPath, ['--import', 'tsx', '--import', './scripts/register-wgsl.mjs', 'src/cli/import-hf.ts', '--from', 'tests/fixtures/hf/gpt2', '--into', runDir], { stdio: 'pipe' });
});
test.afterAll(async () => {
  await env?.stop();
});

test('an imported GPT-2 streams text equal to the engine\'s answer, shows token ids, and cancels', async ({ page }) => {
  const settings = { prompt: 'The cat', maxNewTokens: 20, temperature: 1, topK: 50, topP: 1, repetitionPenalty: 1, stop: [], seed: 3 };
  const client = await TestClient.connect(env.bridge);
  const reply = await client.request('prompt.generate', { generationId: 'e2e', runDir, ...settings });
  client.close();
  expect(reply.ok).toBe(true);
  const want = reply.result as { text: string; prompt: { id: number }[]; generated: { id: number }[] };

  await openPage(page, env.bridge.url, 'Adapt');
  const playground = page.getByRole('region', { name: 'Prompt playground' });
  await expect(playground.getByRole('combobox', { name: 'GPT run' })).toHaveValue(runDir);
  await playground.getByRole('textbox', { name: 'Prompt' }).fill(settings.prompt);
  await playground.getByRole('spinbutton', { name: 'Max new tokens' }).fill('20');
  await playground.getByRole('spinbutton', { name: 'Temperature' }).fill('1');
  await playground.getByRole('spinbutton', { name: 'Seed' }).fill('3');
  await playground.getByRole('button', { name: 'Generate' }).click();
  await expect(playground.getByTestId('prompt-summary')).toContainText('seed 3');
  await expect(playground.getByTestId('prompt-output')).toHaveText(settings.prompt + want.text);
  await playground.getByRole('checkbox', { name: 'Show token ids' }).check();
  await expect(playground.getByTestId('prompt-ids').locator('.piece')).toHaveCount(want.prompt.length + want.generated.length);
  await expect(playground.getByTestId('prompt-ids')).toContainText(String(want.generated[0].id));
  await page.screenshot({ path: 'test-results/prompt.png' });

  // Probabilities: asking for them does not change the draws; the table and shading are the engine's.
  const probe = await TestClient.connect(env.bridge);
  const withP = (await probe.request('prompt.generate', { generationId: 'e2e-p', runDir, ...settings, candidates: 5 })).result as {
    text: string; generated: { token: string; probability: number; candidates: { token: string; probability: number }[] }[];
  };
  probe.close();
  expect(withP.text).toBe(want.text);
  await playground.getByRole('checkbox', { name: 'Show probabilities' }).check();
  await playground.getByRole('button', { name: 'Generate' }).click();
  const shaded = playground.getByTestId('token-probabilities').getByRole('button');
  await expect(shaded).toHaveCount(withP.generated.length);
  for (const [i, g] of withP.generated.entries()) expect(Number(await shaded.nth(i).getAttribute('data-probability'))).toBeCloseTo(g.probability, 12);
  await shaded.nth(5).click();
  const rows = playground.getByRole('table', { name: 'Next-token probabilities' }).getByRole('row');
  await expect(rows).toHaveCount(5);
  for (const [r, c] of withP.generated[5].candidates.entries()) await expect(rows.nth(r).locator('td').nth(1)).toHaveText(`${(100 * c.probability).toFixed(1)}%`);

  await playground.getByRole('spinbutton', { name: 'Max new tokens' }).fill('4096');
  await playground.getByRole('button', { name: 'Generate' }).click();
  await expect(playground.getByRole('button', { name: 'Cancel generation' })).toBeEnabled();
  await playground.getByRole('button', { name: 'Cancel generation' }).click();
  await expect(playground.getByTestId('prompt-summary')).toContainText('ended by cancelled');
});

test('classification by prompting shows accuracy per K as the engine computes it, and the exact prompt', async ({ page }) => {
  const data = join(env.runsDir, 'reviews.tsv');
  const rows = ['the cat sat', 'on the mat', 'The cat', 'sat on', 'the mat sat', 'cat on the mat', 'The mat', 'on the cat'];
  writeFileSync(data, 'label\tsentence\n' + rows.map((r, i) => `${i % 2}\t${r}`).join('\n') + '\n');
  const params = { runDir, data, offset: 0, limit: 4, template: 'The {text}:', classes: ['0', '1'], words: [' cat', ' mat'], shots: [0, 1], seeds: [1] };
  const client = await TestClient.connect(env.bridge);
  const reply = await client.request('prompt.classify', { generationId: 'e2e-c', ...params });
  const preview = await client.request('prompt.preview', { ...params, text: 'the cat sat', k: 1, seed: 1 });
  client.close();
  expect(reply.ok && preview.ok).toBe(true);
  const want = (reply.result as { results: { k: number; accuracy: number; macroF1: number }[] }).results;

  await openPage(page, env.bridge.url, 'Adapt');
  const panel = page.getByRole('region', { name: 'Classify by prompting' });
  await panel.getByRole('textbox', { name: 'Labeled file' }).fill(data);
  await panel.getByRole('spinbutton', { name: 'Rows', exact: true }).fill('4');
  await panel.getByRole('textbox', { name: 'K values' }).fill('0, 1');
  await panel.getByRole('textbox', { name: 'Template' }).fill('The {text}:');
  await panel.getByRole('textbox', { name: 'Label words' }).fill('0= cat\n1= mat');
  await panel.getByRole('button', { name: 'Evaluate' }).click();
  const table = panel.getByRole('table', { name: 'Accuracy by K' });
  await expect(table.getByRole('row')).toHaveCount(3);
  for (const [i, r] of want.entries()) {
    await expect(table.getByRole('row').nth(i + 1)).toContainText(`${(100 * r.accuracy).toFixed(1)}%`);
    await expect(table.getByRole('row').nth(i + 1)).toContainText(`${(100 * r.macroF1).toFixed(1)}%`);
  }
  await panel.getByRole('textbox', { name: 'Preview text' }).fill('the cat sat');
  await panel.getByRole('button', { name: 'Show prompt' }).click();
  await expect(panel.getByTestId('prompt-preview')).toHaveText((preview.result as { text: string }).text);
  await page.screenshot({ path: 'test-results/prompt-classify.png', fullPage: true });
});
