// The embedding projector on the real engine: a tiny GPT trained through the API, then the
// Projector page's picture of its token embeddings (PCA 2D) and of a sentence's contextual
// embeddings (UMAP 3D). For a searched token, the coordinates and the nearest neighbours with
// cosine scores shown must equal the engine's embeddings.project / embeddings.neighbours answers
// for the same input; hovering the token's dot shows it; the checkpoint slider moves the step.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openShards } from '../../src/engine/data/shards.ts';
import { askEngine, openPage, startRunsBridge, trainTinyRun, type RunsBridge } from './run-helpers.ts';
import { hitTest, toScreen } from '../../src/renderer/lib/projector/geometry.ts';

const SENTENCE = 'The cat sat on the mat. 猫在垫子上睡觉。';
let env: RunsBridge;
let runDir: string;
test.beforeAll(async () => {
  env = await startRunsBridge('projector');
  runDir = await trainTinyRun(env.bridge, 'proj', [SENTENCE], 30);
});
test.afterAll(async () => {
  await env?.stop();
});

interface Point { id: number; token: string; text: string; cls: string }
interface Projection { step: number; steps: number[]; dims: number; coords: number[]; points: Point[]; selection: string }
interface Neighbours { neighbours: { index: number; text: string; score: number }[] }

async function engine<T>(type: string, params: unknown): Promise<T> {
  return askEngine<T>(env.bridge, type, params);
}

/** A token to search: the first Latin one (else Han) whose text is unique in the set (so search finds it). */
function queryOf(p: Projection): number {
  const unique = (x: Point) => p.points.filter((y) => y.text === x.text || y.token === x.text).length === 1;
  let i = p.points.findIndex((x) => x.cls === 'latin' && unique(x));
  if (i < 0) i = p.points.findIndex((x) => x.cls === 'han' && unique(x));
  expect(i, 'a Latin or Han token with a unique text').toBeGreaterThanOrEqual(0);
  return i;
}

async function searchAndCheck(page: Page, want: Projection, source: unknown): Promise<void> {
  const index = queryOf(want);
  const near = await engine<Neighbours>('embeddings.neighbours', { runDir, step: want.step, source, index, k: 10 });
  const search = page.getByRole('region', { name: 'Token search' });
  await search.getByRole('searchbox', { name: 'Search token' }).fill(want.points[index].text);
  await search.getByRole('button', { name: 'Find' }).click();
  const coords = Array.from({ length: want.dims }, (_, c) => want.coords[index * want.dims + c].toFixed(4)).join(', ');
  await expect(search.getByTestId('projector-coords')).toHaveText(`(${coords})`);
  const rows = search.getByRole('table', { name: 'Nearest neighbours' }).locator('tbody tr');
  await expect(rows).toHaveCount(near.neighbours.length);
  for (const [r, n] of near.neighbours.entries()) {
    await expect(rows.nth(r).locator('td').nth(1)).toHaveText(n.text);
    await expect(rows.nth(r).locator('td').nth(2)).toHaveText(n.score.toFixed(4));
  }
}

test('token embeddings by PCA: the searched token\'s coordinates and neighbours are the engine\'s; hover and the checkpoint slider', async ({ page }) => {
  const source = { kind: 'tokens' };
  const want = await engine<Projection>('embeddings.project', { runDir, source, method: 'pca', dims: 2 });
  expect(want.selection).toBe('all');
  expect(want.steps.length).toBeGreaterThan(1);

  await openPage(page, env.bridge.url, 'Projector');
  await expect(page.getByRole('combobox', { name: 'Run' })).toHaveValue(runDir);
  await page.getByRole('button', { name: 'Project', exact: true }).click();
  await expect(page.getByTestId('projector-caption')).toContainText(`proj · step ${want.step} · token embeddings (all ${want.points.length} tokens), PCA 2D`);
  const legend = page.getByRole('list', { name: 'Token classes' });
  for (const cls of new Set(want.points.map((p) => p.cls))) {
    const n = want.points.filter((p) => p.cls === cls).length;
    await expect(legend).toContainText(`${{ han: 'Han', latin: 'Latin' }[cls] ?? cls} ${n}`);
  }
  await searchAndCheck(page, want, source);

  // Hover over the searched token's dot: the tooltip names the point under the cursor.
  const canvas = page.locator('.scatter canvas');
  const box = (await canvas.boundingBox())!;
  const index = queryOf(want);
  const screen = toScreen(want.coords, 2, box.width, box.height, 28);
  await canvas.hover({ position: { x: screen.x[index], y: screen.y[index] } });
  const under = hitTest(screen, screen.x[index], screen.y[index])!;
  await expect(page.getByTestId('projector-hover')).toContainText(want.points[under].text);
  await page.screenshot({ path: 'test-results/projector-tokens.png' });

  // Export SVG: every point, and a caption naming the run, the step and what was projected.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export SVG' }).click()]);
  expect(download.suggestedFilename()).toBe(`projector-proj-step-${want.step}.svg`);
  const svg = readFileSync(await download.path(), 'utf8');
  expect(svg.match(/<circle [^>]*><title>/g)).toHaveLength(want.points.length);
  expect(svg).toContain(`proj · step ${want.step} · token embeddings (all ${want.points.length} tokens), PCA 2D`);

  // The slider steps back a checkpoint: the picture is the engine's at that step.
  const first = want.steps[0];
  const earlier = await engine<Projection>('embeddings.project', { runDir, step: first, source, method: 'pca', dims: 2 });
  const slider = page.getByTestId('projector-steps').getByRole('slider', { name: 'checkpoint' });
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('projector-caption')).toContainText(`step ${first} ·`);
  await searchAndCheck(page, earlier, source);
});

test('a vocabulary larger than the cap keeps its most frequent tokens in the training data', async () => {
  const top = await engine<Projection>('embeddings.project', { runDir, source: { kind: 'tokens', maxTokens: 20 }, method: 'pca', dims: 2 });
  expect(top.selection).toBe('most-frequent');
  // Brute force: count every token of the run's shards.
  const { dir } = JSON.parse(readFileSync(join(runDir, 'data', 'shards.json'), 'utf8')) as { dir: string };
  const { tokens } = await openShards(dir);
  const counts = new Map<number, number>();
  for (const t of tokens.subarray(0, tokens.length)) counts.set(t, (counts.get(t) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const want = ranked.slice(0, 20).map(([id]) => id).sort((a, b) => a - b);
  expect(top.points.map((p) => p.id)).toEqual(want);
});

test('a sentence\'s contextual embeddings by UMAP in 3D: the same seeded layout and neighbours as the engine\'s', async ({ page }) => {
  const source = { kind: 'sentence', text: SENTENCE };
  const want = await engine<Projection>('embeddings.project', { runDir, source, method: 'umap', dims: 3 });
  expect(want.selection).toBe('sentence');

  await openPage(page, env.bridge.url, 'Projector');
  await expect(page.getByRole('combobox', { name: 'Run' })).toHaveValue(runDir);
  await page.getByRole('radio', { name: 'A sentence\'s contextual embeddings' }).check();
  await page.getByRole('textbox', { name: 'Sentence' }).fill(SENTENCE);
  await page.getByRole('radio', { name: 'UMAP' }).check();
  await page.getByRole('radio', { name: '3D' }).check();
  await page.getByRole('button', { name: 'Project', exact: true }).click();
  await expect(page.getByTestId('projector-caption')).toContainText(`contextual embeddings of “${SENTENCE}”, UMAP 3D`);
  await searchAndCheck(page, want, source);
  // Turning the 3D view changes nothing the engine computed.
  await page.locator('.scatter canvas').focus();
  await page.keyboard.press('ArrowLeft');
  await page.screenshot({ path: 'test-results/projector-sentence.png' });
});
