// The head summary, compare and encoder-decoder attention on the Attention page, on the real
// engine: a tiny run trained with attention snapshots, then the head table of a snapshot (every
// value = the engine's attention.heads for the same run and step, sortable, a row shows its head),
// two snapshots of the run compared on one sentence (every cell of A, B and the difference map =
// the engine's attention.compare), and a tiny BART run's snapshots: encoder self, decoder self
// and cross-attention (decoder tokens × encoder tokens) with the step slider.
import { readFileSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { decodeJson } from '../../src/protocol/json-codec.ts';
import { TestClient } from './bridge.ts';
import { askEngine, openPage, startRunsBridge, TINY_OPTIONS, trainTinyRun, type RunsBridge } from './run-helpers.ts';

const ZH = '猫在垫子上睡觉';
const EN = 'The cat sat on the mat';
let env: RunsBridge;
let runDir: string;
test.beforeAll(async () => {
  env = await startRunsBridge('attention-heads');
  runDir = await trainTinyRun(env.bridge, 'heads', [ZH, EN]);
});
test.afterAll(async () => {
  await env?.stop();
});

async function engine<T>(type: string, params: unknown): Promise<T> {
  return decodeJson(JSON.stringify(await askEngine(env.bridge, type, params))) as T;
}

type Head = { layer: number; head: number; entropy: number; distance: number; cls: number | null; sep: number | null; first: number };
const KEYS = ['entropy', 'distance', 'cls', 'sep', 'first'] as const;
const shown = (v: number | null): string => (v === null ? '—' : v.toFixed(3));

async function tableRows(page: Page): Promise<{ layer: number; head: number; cells: string[] }[]> {
  return page.getByTestId('head-row').evaluateAll((rows) =>
    rows.map((r) => ({
      layer: Number(r.getAttribute('data-layer')),
      head: Number(r.getAttribute('data-head')),
      cells: ['entropy', 'distance', 'cls', 'sep', 'first'].map((k) => r.querySelector(`[data-key="${k}"]`)?.textContent?.trim() ?? ''),
    })),
  );
}

async function cellValues(map: Locator): Promise<[number, number, number][]> {
  return map.locator('rect.cell').evaluateAll((rects) =>
    rects.map((r) => [Number(r.getAttribute('data-row')), Number(r.getAttribute('data-col')), Number(r.getAttribute('data-value'))] as [number, number, number]),
  );
}

test('the head table shows the engine’s statistics of the snapshot, sorts, and a row shows its head', async ({ page }) => {
  await openPage(page, env.bridge.url, 'Attention');
  await page.getByLabel('Over training (saved snapshots)').check();
  const table = page.getByTestId('head-table');
  await expect(table).toHaveAttribute('data-step', '40', { timeout: 30_000 });

  const want = await engine<{ step: number; sentences: string[]; heads: Head[] }>('attention.heads', { runDir, step: 40 });
  expect(want.sentences).toEqual([ZH, EN]);
  expect(want.heads).toHaveLength(2); // 1 layer × 2 heads
  let rows = await tableRows(page);
  expect(rows.map((r) => [r.layer, r.head])).toEqual([[0, 0], [0, 1]]);
  for (const r of rows) {
    const h = want.heads.find((x) => x.layer === r.layer && x.head === r.head)!;
    expect(r.cells).toEqual(KEYS.map((k) => shown(h[k])));
  }

  // Sort by entropy (largest first), then ascending.
  await table.getByRole('button', { name: 'Entropy' }).click();
  const byEntropy = [...want.heads].sort((a, b) => b.entropy - a.entropy).map((h) => [h.layer, h.head]);
  rows = await tableRows(page);
  expect(rows.map((r) => [r.layer, r.head])).toEqual(byEntropy);
  await expect(table.getByRole('columnheader', { name: /Entropy/ })).toHaveAttribute('aria-sort', 'descending');
  await table.getByRole('button', { name: /Entropy/ }).click();
  expect((await tableRows(page)).map((r) => [r.layer, r.head])).toEqual([...byEntropy].reverse());

  // A row shows its head in the map above.
  await table.getByRole('button', { name: 'L1 H2' }).click();
  await expect(page.getByTestId('attention-heatmap')).toHaveAttribute('data-head', '1');

  // The slider moves the table to another step.
  const slider = page.getByTestId('step-slider').getByRole('slider', { name: 'training step' });
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(table).toHaveAttribute('data-step', '0');
  const at0 = await engine<{ heads: Head[] }>('attention.heads', { runDir, step: 0 });
  for (const r of await tableRows(page)) {
    const h = at0.heads.find((x) => x.layer === r.layer && x.head === r.head)!;
    expect(r.cells).toEqual(KEYS.map((k) => shown(h[k])));
  }
  await page.screenshot({ path: 'test-results/attention-heads.png', fullPage: true });
});

test('compare: two snapshots of the run on one sentence, side by side with the difference map', async ({ page }) => {
  await openPage(page, env.bridge.url, 'Attention');
  const panel = page.getByRole('region', { name: 'Compare two checkpoints' });
  await panel.getByLabel('Run A').selectOption({ label: 'heads' });
  await panel.getByLabel('Step A').selectOption('snapshot:0');
  await panel.getByLabel('Run B').selectOption({ label: 'heads' });
  await panel.getByLabel('Step B').selectOption('checkpoint:40');
  await panel.getByLabel('Sentence').fill(ZH);
  await panel.getByRole('button', { name: 'Compare' }).click();
  const diffMap = page.getByTestId('compare-diff');
  await expect(diffMap).toBeVisible({ timeout: 30_000 });

  type Compared = { a: { sentences: { ids: number[]; layers: Float32Array[] }[] }; b: { sentences: { layers: Float32Array[] }[] }; diff: Float32Array[] };
  const want = await engine<Compared>('attention.compare', { a: { kind: 'snapshot', runDir, step: 0 }, b: { kind: 'checkpoint', runDir, step: 40 }, sentence: ZH });
  const t = want.a.sentences[0].ids.length;
  for (const head of [0, 1]) {
    if (head === 1) await panel.getByLabel('Compare head').selectOption({ value: '1' });
    const expectMap = async (map: Locator, values: Float32Array) => {
      const got = await cellValues(map);
      expect(got).toHaveLength(t * t);
      for (const [i, j, v] of got) expect(v).toBe(values[head * t * t + i * t + j]);
    };
    await expect.poll(async () => (await cellValues(diffMap))[t]?.[2]).toBe(want.diff[0][head * t * t + t]);
    await expectMap(page.getByTestId('compare-a'), want.a.sentences[0].layers[0]);
    await expectMap(page.getByTestId('compare-b'), want.b.sentences[0].layers[0]);
    await expectMap(diffMap, want.diff[0]);
  }
  // The difference is B − A, and training changed something.
  for (let k = 0; k < want.diff[0].length; k++) expect(want.diff[0][k]).toBe(Math.fround(want.b.sentences[0].layers[0][k] - want.a.sentences[0].layers[0][k]));
  expect(want.diff[0].some((d) => d !== 0)).toBe(true);
  await page.screenshot({ path: 'test-results/attention-compare.png', fullPage: true });

  // Export: the three maps of the head shown (head 2), each cell the engine's value, and a caption
  // naming both sides, the sentence, layer and head.
  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Export comparison as SVG' }).click()]);
  expect(download.suggestedFilename()).toBe('attention-compare-L1-2.svg');
  const doc = readFileSync(await download.path(), 'utf8');
  expect(doc).toContain(`Compare · A: heads snapshot 0 · B: heads checkpoint 40 · “${ZH}” · layer 1, head 2`);
  const exported = [...doc.matchAll(/data-value="([^"]+)"/g)].map((m) => Number(m[1]));
  expect(exported).toHaveLength(3 * t * t);
  const head2 = (values: Float32Array) => [...values.subarray(t * t, 2 * t * t)];
  expect(exported).toEqual([...head2(want.a.sentences[0].layers[0]), ...head2(want.b.sentences[0].layers[0]), ...head2(want.diff[0])]);
});

test('an encoder-decoder run: encoder self, decoder self and cross-attention over training', async ({ page }) => {
  const client = await TestClient.connect(env.bridge);
  let bartDir: string;
  try {
    const reply = await client.request('run.start', { options: { ...TINY_OPTIONS, objective: 'bart', steps: 20, name: 'bart' }, attention: { every: 10, sentences: [EN] } });
    if (!reply.ok) throw new Error(JSON.stringify(reply));
    const { runId, runDir: dir } = reply.result as { runId: string; runDir: string };
    bartDir = dir;
    await client.next((m) => m.type === 'run.attention' && m.runId === runId && m.step === 20, 120_000);
  } finally {
    client.close();
  }
  await openPage(page, env.bridge.url, 'Attention');
  await page.getByLabel('Over training (saved snapshots)').check();
  await page.getByRole('combobox', { name: 'Run', exact: true }).selectOption({ label: 'bart · finished' });
  const heatmap = page.getByTestId('attention-heatmap');
  await expect(heatmap).toHaveAttribute('data-step', '20', { timeout: 30_000 });
  await page.getByLabel('Hide special tokens').uncheck();

  type Pair = { sentences: { ids: number[]; tokens: string[]; layers: Float32Array[]; target: { ids: number[]; tokens: string[] }; decoder: Float32Array[]; cross: Float32Array[] }[] };
  const saved = await engine<Pair>('attention.snapshot', { runDir: bartDir, step: 20 });
  const s = saved.sentences[0];
  const ts = s.ids.length, tt = s.target.ids.length;
  const part = page.getByRole('combobox', { name: 'Attention part' });
  const expectPart = async (name: string, values: Float32Array, rows: number, cols: number, rowTokens: number, colTokens: number) => {
    await part.selectOption(name);
    await expect(heatmap).toHaveAttribute('data-part', name);
    await expect(heatmap.locator('text.row-label')).toHaveCount(rowTokens);
    await expect(heatmap.locator('text.col-label')).toHaveCount(colTokens);
    const got = await cellValues(heatmap);
    expect(got).toHaveLength(rows * cols);
    for (const [i, j, v] of got) expect(v).toBe(values[i * cols + j]); // head 1
  };
  await expectPart('cross', s.cross[0], tt, ts, tt, ts);
  await expect(heatmap.locator('text.row-label').first()).toHaveText('[CLS]'); // the decoder's start token
  await expect(heatmap.locator('text.col-label').last()).toHaveText('[SEP]'); // the encoder's end
  await page.screenshot({ path: 'test-results/attention-cross.png', fullPage: true });
  await expectPart('decoder', s.decoder[0], tt, tt, tt, tt);
  await expectPart('encoder', s.layers[0], ts, ts, ts, ts);

  // The step slider keeps the part and shows step 0's cross-attention.
  await part.selectOption('cross');
  const slider = page.getByTestId('step-slider').getByRole('slider', { name: 'training step' });
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(heatmap).toHaveAttribute('data-step', '0');
  const at0 = await engine<Pair>('attention.snapshot', { runDir: bartDir, step: 0 });
  const got = await cellValues(heatmap);
  for (const [i, j, v] of got) expect(v).toBe(at0.sentences[0].cross[0][i * ts + j]);
  expect(got.map((c) => c[2])).not.toEqual(Array.from(s.cross[0].subarray(0, tt * ts)));

  // Compare the first and last snapshots on the probe: the cross-attention's difference map.
  const panel = page.getByRole('region', { name: 'Compare two checkpoints' });
  await panel.getByLabel('Run A').selectOption({ label: 'bart' });
  await panel.getByLabel('Step A').selectOption('snapshot:0');
  await panel.getByLabel('Run B').selectOption({ label: 'bart' });
  await panel.getByLabel('Step B').selectOption('snapshot:20');
  await panel.getByLabel('Sentence').fill(EN);
  await panel.getByRole('button', { name: 'Compare' }).click();
  await panel.getByLabel('Compare attention part').selectOption('cross', { timeout: 30_000 });
  const diffMap = page.getByTestId('compare-diff');
  await expect(diffMap).toHaveAttribute('data-part', 'cross');
  const want = await engine<{ diffCross: Float32Array[] }>('attention.compare', { a: { kind: 'snapshot', runDir: bartDir, step: 0 }, b: { kind: 'snapshot', runDir: bartDir, step: 20 }, sentence: EN });
  const diffCells = await cellValues(diffMap);
  expect(diffCells).toHaveLength(tt * ts);
  for (const [i, j, v] of diffCells) {
    expect(v).toBe(want.diffCross[0][i * ts + j]);
    expect(v).toBe(Math.fround(s.cross[0][i * ts + j] - at0.sentences[0].cross[0][i * ts + j]));
  }
  await page.screenshot({ path: 'test-results/attention-compare-cross.png', fullPage: true });
});
