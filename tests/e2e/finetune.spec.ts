// The Adapt page's Fine-tune tab on the real engine: a tiny masked-LM run pretrained through the
// API, then in the page a labeled CSV uploaded (a file with a class too small for the split is
// refused first, naming file, column and lines), its columns guessed and its class balance shown,
// a fine-tune with the from-scratch comparison started, watched and scored. The confusion matrix
// sums to the test split, a clicked cell lists its rows, and every shown score and probability
// equals the engine's (eval.json in the run folder, finetune.predictions, classify.predict). Then a
// long fine-tune is stopped from the tab and scored at the step it reached; a LoRA one (with
// lora_dropout) is stopped and resumed from the tab, its curve going on from where it stopped.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { TestClient } from './bridge.ts';
import { openPage, startRunsBridge, TINY_OPTIONS, type RunsBridge } from './run-helpers.ts';

const POS = ['a good day', 'so good and fine', 'good food here', 'it was good', 'very good work', 'good, really good'];
const NEG = ['a bad day', 'so bad and poor', 'bad food here', 'it was bad', 'very bad work', 'bad, really bad'];
// 40 rows (20 per class) and one without a label (skipped, named by line).
const CSV = ['review,sentiment', ...Array.from({ length: 40 }, (_, i) => (i % 2 ? `"${POS[i % 6]}",positive` : `"${NEG[i % 6]}",negative`)), '"no label",'].join('\n') + '\n';
const FEW = ['text,label', ...Array.from({ length: 12 }, (_, i) => `row ${i},a`), 'lonely,b'].join('\n') + '\n';

let env: RunsBridge;
test.beforeAll(async () => {
  env = await startRunsBridge('finetune');
  const client = await TestClient.connect(env.bridge);
  try {
    const reply = await client.request('run.start', { options: { ...TINY_OPTIONS, objective: 'mlm', tokenizer: 'wordpiece', vocabSize: 512, steps: 10, name: 'bert' } });
    if (!reply.ok) throw new Error(`run.start failed: ${JSON.stringify(reply)}`);
    const { runId } = reply.result as { runId: string };
    const end = await client.next((m) => m.type === 'run.state' && m.runId === runId && ['finished', 'failed'].includes(m.state as string), 120_000);
    expect(end.state).toBe('finished');
  } finally {
    client.close();
  }
});
test.afterAll(async () => {
  await env?.stop();
});

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

test('a classifier is fine-tuned on an uploaded CSV, compared with training from scratch, and shows the engine\'s scores', async ({ page }) => {
  test.setTimeout(150_000);
  await openPage(page, env.bridge.url, 'Adapt');
  await page.getByRole('tab', { name: 'Fine-tune' }).click();
  const tab = page.getByRole('region', { name: 'Fine-tune a classifier' });
  const fileInput = tab.getByTestId('labeled-file-input');

  // Too few rows of a class for a 0.1 / 0.1 split: refused before training, by file, column and line.
  await fileInput.setInputFiles({ name: 'few.csv', mimeType: 'text/csv', buffer: Buffer.from(FEW) });
  await expect(tab.getByTestId('labeled-error')).toHaveText("few.csv: label column 'label': 'b' has 1 row (line 14); with validation 0.1 and test 0.1 each class needs at least 5 rows to appear in every split");
  await expect(tab.getByRole('button', { name: 'Start fine-tuning' })).toBeDisabled();

  await fileInput.setInputFiles({ name: 'reviews.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(tab.getByRole('combobox', { name: 'Text column', exact: true })).toHaveValue('review');
  await expect(tab.getByRole('combobox', { name: 'Label column' })).toHaveValue('sentiment');
  const balance = tab.getByRole('table', { name: 'Class balance' });
  // Stratified 0.1 / 0.1 of 20 rows per class: 16 train, 2 validation, 2 test each.
  await expect(balance.getByRole('row', { name: /negative/ })).toHaveText(/negative\s*20\s*50\.0%\s*16\s*2\s*2/);
  await expect(balance.getByRole('row', { name: /positive/ })).toHaveText(/positive\s*20\s*50\.0%\s*16\s*2\s*2/);
  await expect(tab.getByTestId('bad-rows')).toContainText('1 bad row skipped');
  await tab.getByTestId('bad-rows').locator('summary').click();
  await expect(tab.getByTestId('bad-rows')).toContainText("reviews.csv:42: empty or missing label ('sentiment')");
  // Refusing bad rows refuses the file at its first one.
  await tab.getByRole('checkbox', { name: /Refuse the file if a row is bad/ }).check();
  await expect(tab.getByTestId('labeled-error')).toHaveText("reviews.csv:42: empty or missing label ('sentiment') (to skip such rows and count them instead: --badRows skip, or untick \"Refuse the file if a row is bad\" in the app)");
  await expect(tab.getByRole('button', { name: 'Start fine-tuning' })).toBeDisabled();
  await tab.getByRole('checkbox', { name: /Refuse the file if a row is bad/ }).uncheck();
  await expect(tab.getByTestId('labeled-error')).toHaveCount(0);

  await expect(tab.getByRole('combobox', { name: 'Pretrained run' })).toHaveValue(join(env.runsDir, 'bert'));
  await tab.getByRole('combobox', { name: 'Trainable scope' }).selectOption('all');
  await tab.getByRole('spinbutton', { name: 'Steps' }).fill('8');
  await tab.getByRole('spinbutton', { name: 'Learning rate' }).fill('0.001');
  await tab.getByRole('spinbutton', { name: 'Layer-wise lr decay' }).fill('0.8');
  await tab.getByRole('spinbutton', { name: 'Batch size' }).fill('8');
  await tab.getByRole('checkbox', { name: /Compare with training from scratch/ }).check();
  await tab.getByRole('button', { name: 'Start fine-tuning' }).click();
  await expect(tab.getByTestId('finetune-state')).toContainText(/classify-bert-pretrained-/);

  const pretrained = tab.getByRole('region', { name: 'Fine-tuned from the pretrained run' });
  const scratch = tab.getByRole('region', { name: 'Same model trained from scratch' });
  await expect(pretrained).toBeVisible({ timeout: 90_000 });
  await expect(scratch).toBeVisible({ timeout: 90_000 });

  // The run folders, as the engine wrote them.
  const dirs = readdirSync(env.runsDir);
  const dirOf = (init: string) => join(env.runsDir, dirs.find((d) => d.startsWith(`classify-bert-${init}-`))!);
  type Scores = { count: number; accuracy: number; macroF1: number; confusion: number[][] };
  for (const [region, init] of [[pretrained, 'pretrained'], [scratch, 'scratch']] as const) {
    const evalJson = JSON.parse(readFileSync(join(dirOf(init), 'eval.json'), 'utf8')) as { init: string; test: Scores };
    expect(evalJson.init).toBe(init);
    // The layer-wise lr decay set in the form is the one both runs trained with.
    expect(JSON.parse(readFileSync(join(dirOf(init), 'config.json'), 'utf8')).pretrain_studio.finetune.options.layerDecay).toBe(0.8);
    expect(evalJson.test.count).toBe(4);
    const cells = await region.getByTestId('confusion-cell').allTextContents();
    expect(cells.map(Number)).toEqual(evalJson.test.confusion.flat());
    expect(cells.map(Number).reduce((a, b) => a + b, 0)).toBe(evalJson.test.count);
    await expect(region.getByTestId('accuracy')).toHaveText(pct(evalJson.test.accuracy));
    await expect(region.getByTestId('macro-f1')).toHaveText(evalJson.test.macroF1.toFixed(4));
  }
  // The confusion matrix exports as a picture: the engine's counts and a caption naming run and step.
  const [download] = await Promise.all([page.waitForEvent('download'), pretrained.getByRole('button', { name: /confusion matrix as SVG/ }).click()]);
  const picture = readFileSync(await download.path(), 'utf8');
  const evalPreJson = JSON.parse(readFileSync(join(dirOf('pretrained'), 'eval.json'), 'utf8')) as { bestStep: number; test: Scores };
  expect([...picture.matchAll(/data-count="(\d+)"/g)].map((m) => Number(m[1]))).toEqual(evalPreJson.test.confusion.flat());
  expect(picture).toContain(`Confusion matrix · ${dirOf('pretrained').split('/').pop()} · step ${evalPreJson.bestStep} · test, 4 rows`);
  // Clicking a confusion cell lists its test rows with the engine's probabilities.
  const evalPre = JSON.parse(readFileSync(join(dirOf('pretrained'), 'eval.json'), 'utf8')) as { test: Scores };
  const flat = evalPre.test.confusion.flat();
  const at = flat.findIndex((n) => n > 0);
  const [t, p] = [Math.floor(at / 2), at % 2];
  await pretrained.getByTestId('confusion-cell').nth(at).getByRole('button').click();
  const listed = pretrained.getByRole('table', { name: 'Predictions' }).locator('tbody tr');
  await expect(listed).toHaveCount(flat[at]);
  const probe = await TestClient.connect(env.bridge);
  const cellReply = await probe.request('finetune.predictions', { runDir: dirOf('pretrained'), label: t, predicted: p });
  probe.close();
  const cellRows = (cellReply.result as { rows: { text: string; line: number; probabilities: number[] }[] }).rows;
  expect(cellRows).toHaveLength(flat[at]);
  for (const [i, r] of cellRows.entries()) {
    await expect(listed.nth(i)).toHaveText(new RegExp(`${r.text}.*${(100 * r.probabilities[0]).toFixed(1)}%.*${(100 * r.probabilities[1]).toFixed(1)}%.*reviews\\.csv:${r.line}`));
  }

  const compare = tab.getByRole('region', { name: 'What pretraining buys' });
  await expect(compare.getByTestId('overlay-chart')).toHaveAttribute('data-lines', '4');

  // "Try a sentence" shows classify.predict's probabilities.
  await tab.getByRole('textbox', { name: 'Sentence to classify' }).fill('a good day');
  await tab.getByRole('button', { name: 'Classify' }).click();
  const client = await TestClient.connect(env.bridge);
  const reply = await client.request('classify.predict', { runDir: dirOf('pretrained'), text: 'a good day' });
  client.close();
  expect(reply.ok).toBe(true);
  const want = (reply.result as { prediction: { probabilities: { label: string; probability: number }[] } }).prediction.probabilities;
  const rows = tab.getByRole('table', { name: 'Label probabilities' }).getByRole('row');
  await expect(rows).toHaveCount(2);
  for (const [i, p] of want.entries()) await expect(rows.nth(i)).toHaveText(new RegExp(`${p.label}\\s*${(100 * p.probability).toFixed(1)}%`));

  await page.screenshot({ path: 'test-results/finetune.png', fullPage: true });

  // The link opens the attention view of the fine-tuned checkpoint on that sentence.
  await tab.getByRole('button', { name: /Attention of the fine-tuned model on this sentence/ }).click();
  await expect(page.getByRole('heading', { name: 'Attention', level: 1 })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Run', exact: true })).toHaveValue(dirOf('pretrained'));
  await expect(page.getByLabel('Sentences (one a line, Chinese or English)')).toHaveValue('a good day');
  await expect(page.getByTestId('attention-heatmap')).toBeVisible();

  // Both runs are in the runs list as classifiers.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Runs', exact: true }).click();
  await expect(page.getByText(/classify-bert-pretrained-/).first()).toBeVisible();
  await page.screenshot({ path: 'test-results/finetune-runs.png' });
});

test('a running fine-tune is stopped from the tab, and scored at the step it reached', async ({ page }) => {
  await openPage(page, env.bridge.url, 'Adapt');
  await page.getByRole('tab', { name: 'Fine-tune' }).click();
  const tab = page.getByRole('region', { name: 'Fine-tune a classifier' });
  await tab.getByTestId('labeled-file-input').setInputFiles({ name: 'reviews.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(tab.getByRole('table', { name: 'Class balance' })).toBeVisible();
  await tab.getByRole('combobox', { name: 'Trainable scope' }).selectOption('top');
  await tab.getByRole('spinbutton', { name: 'Top layers' }).fill('1');
  await tab.getByRole('spinbutton', { name: 'Steps' }).fill('200000');
  await tab.getByRole('spinbutton', { name: 'Batch size' }).fill('4');
  await tab.getByRole('button', { name: 'Start fine-tuning' }).click();
  await expect(tab.getByTestId('finetune-state')).toContainText(/running · step \d+ \/ 200000/);
  await tab.getByRole('button', { name: 'Stop' }).click();
  await expect(tab.getByTestId('finetune-state')).toContainText('stopped');
  const scores = tab.getByRole('region', { name: 'Fine-tuned classifier' });
  await expect(scores).toContainText('scope top:1');
  const dir = readdirSync(env.runsDir).filter((d) => d.startsWith('classify-bert-pretrained-')).sort().pop()!;
  const evalJson = JSON.parse(readFileSync(join(env.runsDir, dir, 'eval.json'), 'utf8')) as { steps: number; scope: string; test: { accuracy: number } };
  expect(evalJson.scope).toBe('top:1');
  expect(evalJson.steps).toBeGreaterThan(0);
  expect(evalJson.steps).toBeLessThan(200000);
  await expect(scores).toContainText(`${evalJson.steps} steps`);
  await expect(scores.getByTestId('accuracy')).toHaveText(pct(evalJson.test.accuracy));
});

test('a stopped LoRA fine-tune (with lora_dropout) resumes from the tab where it stopped', async ({ page }) => {
  await openPage(page, env.bridge.url, 'Adapt');
  await page.getByRole('tab', { name: 'Fine-tune' }).click();
  const tab = page.getByRole('region', { name: 'Fine-tune a classifier' });
  await tab.getByTestId('labeled-file-input').setInputFiles({ name: 'reviews.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(tab.getByRole('table', { name: 'Class balance' })).toBeVisible();
  await tab.getByRole('combobox', { name: 'Trainable scope' }).selectOption('lora');
  await tab.getByRole('spinbutton', { name: 'LoRA rank' }).fill('4');
  await tab.getByRole('spinbutton', { name: 'LoRA dropout' }).fill('0.2');
  await tab.getByRole('spinbutton', { name: 'Steps' }).fill('200000');
  await tab.getByRole('spinbutton', { name: 'Batch size' }).fill('4');
  const before = new Set(readdirSync(env.runsDir));
  await tab.getByRole('button', { name: 'Start fine-tuning' }).click();
  await expect(tab.getByTestId('finetune-state')).toContainText(/running · step \d+ \/ 200000/);
  await tab.getByRole('button', { name: 'Stop' }).click();
  await expect(tab.getByTestId('finetune-state')).toContainText('stopped');
  const dir = join(env.runsDir, readdirSync(env.runsDir).find((d) => !before.has(d) && d.startsWith('classify-bert-pretrained-'))!);
  const first = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')) as { steps: number; scope: string };
  expect(first.scope).toBe('lora');
  const config = JSON.parse(readFileSync(join(dir, 'checkpoints', `step-${first.steps}`, 'adapter_config.json'), 'utf8')) as { r: number; lora_dropout: number };
  expect(config).toMatchObject({ r: 4, lora_dropout: 0.2 });

  await tab.getByRole('button', { name: 'Resume' }).click();
  await expect(tab.getByTestId('finetune-state')).toContainText(/running · step \d+ \/ 200000/);
  await expect.poll(async () => Number(/step (\d+) \//.exec((await tab.getByTestId('finetune-state').textContent()) ?? '')?.[1] ?? 0)).toBeGreaterThan(first.steps);
  await tab.getByRole('button', { name: 'Stop' }).click();
  await expect(tab.getByTestId('finetune-state')).toContainText('stopped');
  const second = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')) as { steps: number; resumedAt: number };
  expect(second.resumedAt).toBe(first.steps);
  expect(second.steps).toBeGreaterThan(first.steps);
  // The train losses go on from the stop: one record per step, none repeated or missing.
  const steps = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; split: string }).filter((r) => r.split === 'train').map((r) => r.step);
  expect(steps).toEqual(Array.from({ length: second.steps }, (_, i) => i + 1));
  await expect(tab.getByRole('region', { name: 'Fine-tuned classifier' })).toContainText(`${second.steps} steps`);
});
