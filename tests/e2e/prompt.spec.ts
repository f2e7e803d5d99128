// The Adapt page's prompt playground on the real engine: a GPT-2 imported from the Hugging Face
// fixture folder (npm run import), text streamed into the page equal to the engine's
// prompt.generate answer for the same seed, the token ids on demand, and Cancel ending a long
// generation early.
import { execFileSync } from 'node:child_process';
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

  await playground.getByRole('spinbutton', { name: 'Max new tokens' }).fill('4096');
  await playground.getByRole('button', { name: 'Generate' }).click();
  await expect(playground.getByRole('button', { name: 'Cancel' })).toBeEnabled();
  await playground.getByRole('button', { name: 'Cancel' }).click();
  await expect(playground.getByTestId('prompt-summary')).toContainText('ended by cancelled');
});
