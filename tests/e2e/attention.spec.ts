// The attention explorer on the real engine: a tiny run trained with attention snapshots, then
// a Chinese sentence under the live model (axis labels = the run tokenizer's tokens, as the
// `tokenizers` package reads tokenizer.json; every cell = the engine's probability), and the step
// slider replaying the saved snapshots (the map changes between steps).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { Tokenizer as NativeTokenizer } from 'tokenizers';
import { decodeJson } from '../../src/protocol/json-codec.ts';
import { TestClient } from './bridge.ts';
import { openPage, startRunsBridge, trainTinyRun, type RunsBridge } from './run-helpers.ts';

const ZH = '猫在垫子上睡觉';
const EN = 'The cat sat on the mat';
let env: RunsBridge;
let runDir: string;
test.beforeAll(async () => {
  env = await startRunsBridge('attention');
  runDir = await trainTinyRun(env.bridge, 'attn', [ZH, EN]);
});
test.afterAll(async () => {
  await env?.stop();
});

type Result = { step: number; nHead: number; sentences: { tokens: string[]; ids: number[]; layers: Float32Array[] }[] };

async function engine(type: string, params: unknown): Promise<Result> {
  const client = await TestClient.connect(env.bridge);
  try {
    const reply = await client.request(type, params);
    if (!reply.ok) throw new Error(JSON.stringify(reply));
    return decodeJson(JSON.stringify(reply.result)) as Result;
  } finally {
    client.close();
  }
}

/** Every SVG cell of the heatmap shown: [row, col, value]. */
async function cells(page: Page): Promise<[number, number, number][]> {
  return page.getByTestId('attention-heatmap').locator('rect.cell').evaluateAll((rects) =>
    rects.map((r) => [Number(r.getAttribute('data-row')), Number(r.getAttribute('data-col')), Number(r.getAttribute('data-value'))] as [number, number, number]),
  );
}

function expectCellsEqual(got: [number, number, number][], probs: Float32Array, t: number, head: number): void {
  expect(got).toHaveLength(t * t);
  for (const [i, j, value] of got) expect(value).toBe(probs[head * t * t + i * t + j]);
}

test('a Chinese sentence under the live model: token axes and cell values', async ({ page }) => {
  await openPage(page, env.bridge.url, 'Attention');
  await expect(page.getByRole('heading', { name: 'No attention map yet' })).toBeVisible();
  await page.getByLabel('Sentences (one a line, Chinese or English)').fill(ZH);
  await page.getByLabel(/Live model/).check();
  await page.getByRole('button', { name: 'Show attention' }).click();
  const heatmap = page.getByTestId('attention-heatmap');
  await expect(heatmap).toBeVisible({ timeout: 30_000 });

  const native = NativeTokenizer.fromFile(join(runDir, 'tokenizer.json'));
  const tokens = (await native.encode(ZH, null, { addSpecialTokens: false })).getTokens();
  expect(tokens.length).toBeGreaterThan(1);
  await expect(heatmap.locator('text.row-label')).toHaveText(tokens);
  await expect(heatmap.locator('text.col-label')).toHaveText(tokens);

  const live = await engine('attention.inspect', { source: { kind: 'live' }, sentences: [ZH] });
  expect(live.step).toBe(40);
  expect(live.sentences[0].tokens).toEqual(tokens);
  const t = tokens.length;
  expectCellsEqual(await cells(page), live.sentences[0].layers[0], t, 0);

  // Head 2 (keyboard-reachable select), then the all-heads grid and the lines view.
  await page.getByRole('combobox', { name: 'Head', exact: true }).selectOption({ value: '1' });
  await expect(heatmap).toHaveAttribute('data-head', '1');
  expectCellsEqual(await cells(page), live.sentences[0].layers[0], t, 1);
  await page.screenshot({ path: 'test-results/attention-live.png', fullPage: true });
  await page.getByLabel('All heads').check();
  await expect(page.getByRole('group', { name: /attention heads: 1 layers × 2 heads/ })).toBeVisible();
  await page.screenshot({ path: 'test-results/attention-grid.png', fullPage: true });
  // Click a thumbnail to zoom into it.
  await page.getByRole('button', { name: 'Layer 1, head 1' }).click();
  await expect(heatmap).toHaveAttribute('data-head', '0');
  expectCellsEqual(await cells(page), live.sentences[0].layers[0], t, 0);
  await page.getByLabel('Lines').check();
  // The exported picture says whose attention it is: run, sentence, layer, head and step.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export SVG' }).click()]);
  const doc = readFileSync(await download.path(), 'utf8');
  expect(doc).toContain(`<text class="caption" x="8"`);
  expect(doc).toContain(`attn · “${ZH}” · Layer 1, head 1 · step 40`);
  expect(doc.match(/<line [^>]*data-value=/g)?.length).toBeGreaterThan(0);
});

test('the step slider replays the snapshots saved while the run trained', async ({ page }) => {
  await openPage(page, env.bridge.url, 'Attention');
  await page.getByLabel('Over training (saved snapshots)').check();
  const heatmap = page.getByTestId('attention-heatmap');
  await expect(heatmap).toHaveAttribute('data-step', '40', { timeout: 30_000 });
  const slider = page.getByTestId('step-slider').getByRole('slider', { name: 'training step' });
  await expect(slider).toHaveAttribute('max', '4'); // steps 0, 10, 20, 30, 40

  const at40 = await cells(page);
  const saved40 = await engine('attention.snapshot', { runDir, step: 40 });
  const t = saved40.sentences[0].ids.length;
  expect(saved40.sentences[0].tokens.join('')).toBe(ZH);
  expectCellsEqual(at40, saved40.sentences[0].layers[0], t, 0);

  await slider.focus();
  await page.keyboard.press('Home');
  await expect(heatmap).toHaveAttribute('data-step', '0');
  const at0 = await cells(page);
  const saved0 = await engine('attention.snapshot', { runDir, step: 0 });
  expectCellsEqual(at0, saved0.sentences[0].layers[0], t, 0);
  expect(at0.map((c) => c[2])).not.toEqual(at40.map((c) => c[2]));
  await page.screenshot({ path: 'test-results/attention-step0.png', fullPage: true });

  await page.getByRole('button', { name: 'next snapshot' }).click();
  await expect(heatmap).toHaveAttribute('data-step', '10');
  await page.screenshot({ path: 'test-results/attention-step10.png', fullPage: true });
});

test('live: while a run trains, the map follows each new checkpoint', async ({ page }) => {
  const client = await TestClient.connect(env.bridge);
  const reply = await client.request('run.start', { options: { nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 32, batchSize: 4, steps: 400, evalEvery: 100, evalIters: 2, checkpointEvery: 10, sampleTokens: 0, name: 'live' } });
  const { runId } = reply.result as { runId: string };
  try {
    await client.next((m) => m.type === 'run.checkpoint' && m.runId === runId, 60_000);
    await openPage(page, env.bridge.url, 'Attention');
    await page.getByLabel('Sentences (one a line, Chinese or English)').fill(ZH);
    await page.getByLabel(/Live model/).check();
    await page.getByRole('button', { name: 'Show attention' }).click();
    const heatmap = page.getByTestId('attention-heatmap');
    await expect(heatmap).toBeVisible({ timeout: 30_000 });
    const first = Number(await heatmap.getAttribute('data-step'));
    expect(first).toBeGreaterThanOrEqual(10);
    await expect.poll(async () => Number(await heatmap.getAttribute('data-step')), { timeout: 30_000 }).toBeGreaterThan(first);
  } finally {
    await client.request('run.stop', { runId });
    await client.next((m) => m.type === 'run.state' && m.runId === runId && m.state === 'stopped', 60_000);
    client.close();
  }
});
