// The textbook tour on the built-in demo models (assets/demo-models), on the real engine: the
// engine host lists them read-only (no delete, no resume); each card's answer on the Tour page
// equals the engine's answer to the same protocol command for the same input (generation, both
// fill-mask sentences, T5 infilling, the fine-tuned classifier, zero- and few-shot prompting);
// a card opens the attention explorer on its sentence, the projector (a searched token's
// coordinates and neighbours equal embeddings.project / embeddings.neighbours), and the batch.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { TestClient } from './bridge.ts';
import { askEngine, openPage, startRunsBridge, type RunsBridge } from './run-helpers.ts';
import { showWhitespace } from '../../src/renderer/lib/tokens/tokenDisplay.ts';
import {
  classifyParams, fillParams, generateParams, predictedLabel, promptParams, PROMPT_FORMAT, TOUR_CARDS, TOUR_MODELS, translateParams, type CardId,
} from '../../src/renderer/state/tour-cards.ts';

const DEMO_DIR = join('assets', 'demo-models');
let env: RunsBridge;
let demo: Record<keyof typeof TOUR_MODELS, string>;

test.beforeAll(async () => {
  env = await startRunsBridge('tour');
  const list = await engine<{ runs: { name: string; runDir: string; demo?: boolean }[] }>('run.list', {});
  demo = Object.fromEntries(Object.entries(TOUR_MODELS).map(([role, name]) => [role, list.runs.find((r) => r.name === name && r.demo)?.runDir ?? ''])) as typeof demo;
});
test.afterAll(async () => {
  await env?.stop();
});

async function engine<T>(type: string, params: unknown): Promise<T> {
  return askEngine<T>(env.bridge, type, params);
}

async function refusal(type: string, params: unknown): Promise<string> {
  const client = await TestClient.connect(env.bridge);
  try {
    const reply = await client.request(type, params);
    expect(reply.ok, `${type} must be refused`).toBe(false);
    return JSON.stringify(reply);
  } finally {
    client.close();
  }
}

const card = (id: CardId) => TOUR_CARDS.find((c) => c.id === id)!;
const pct = (p: number) => `${(p * 100).toFixed(1)}%`;

async function runCard(page: Page, id: CardId): Promise<Locator> {
  const box = page.locator(`article[data-card="${id}"]`);
  await box.getByRole('button', { name: 'Run it' }).click();
  await expect(box.getByTestId('tour-answer')).toBeVisible({ timeout: 120_000 });
  return box;
}

test('the demo models are listed read-only: not deletable, not resumable', async () => {
  for (const [role, name] of Object.entries(TOUR_MODELS)) {
    expect(demo[role as keyof typeof demo], `${name} is listed as a demo run`).not.toBe('');
    expect(existsSync(join(DEMO_DIR, name, 'config.json'))).toBe(true);
  }
  expect(await refusal('run.delete', { runDir: demo.gpt })).toContain('read-only');
  expect(await refusal('run.resume', { runDir: demo.bert })).toContain('read-only');
  expect(existsSync(join(DEMO_DIR, TOUR_MODELS.gpt, 'config.json'))).toBe(true);
});

test('each tour card shows the engine\'s own answer for its input', async ({ page }) => {
  test.setTimeout(300_000);
  await openPage(page, env.bridge.url, 'Tour');

  type Generated = { text: string; generated: { token: string; probability: number; candidates: { token: string; probability: number }[] }[] };
  const gen = await engine<Generated>('prompt.generate', generateParams(card('next-token'), demo.gpt, 'e2e-tour-gen'));
  const g = await runCard(page, 'next-token');
  await expect(g.getByTestId('generated')).toHaveText(gen.text);
  // P(next | prompt): the engine's top 5 for the first character, in its order; greedy takes the first.
  const next = g.getByRole('table', { name: 'Next-token probabilities' }).getByRole('row');
  const firstStep = gen.generated[0].candidates;
  await expect(next).toHaveCount(5);
  for (const [r, c] of firstStep.entries()) await expect(next.nth(r)).toHaveText(`${showWhitespace(c.token)}${pct(c.probability)}`);
  expect(firstStep[0].token).toBe(gen.generated[0].token);
  const shaded = g.getByTestId('token-probabilities').getByRole('button');
  await expect(shaded).toHaveCount(gen.generated.length);
  for (const [i, t] of gen.generated.entries()) expect(Number(await shaded.nth(i).getAttribute('data-probability'))).toBeCloseTo(t.probability, 12);
  // A later token's candidates: the engine's at that step.
  await shaded.nth(2).click();
  for (const [r, c] of gen.generated[2].candidates.entries()) await expect(next.nth(r)).toHaveText(`${showWhitespace(c.token)}${pct(c.probability)}`);

  for (const id of ['mask-cat', 'mask-paris'] as const) {
    const want = await engine<{ masks: { candidates: { text: string; probability: number }[] }[]; filled: string }>('mask.fill', fillParams(card(id), demo.bert));
    const box = await runCard(page, id);
    for (const [i, m] of want.masks.entries()) {
      const rows = box.getByRole('table', { name: `Candidates for mask ${i + 1}` }).getByRole('row');
      await expect(rows).toHaveCount(m.candidates.length);
      for (const [r, c] of m.candidates.entries()) {
        await expect(rows.nth(r).locator('td').nth(0)).toHaveText(c.text);
        await expect(rows.nth(r).locator('td').nth(1)).toHaveText(pct(c.probability));
      }
    }
    await expect(box.getByTestId('filled')).toHaveText(want.filled);
  }

  const infill = await engine<{ text: string }>('seq2seq.translate', translateParams(card('infill'), demo.t5));
  await expect((await runCard(page, 'infill')).getByTestId('infill')).toHaveText(infill.text);

  const cls = await engine<{ prediction: { label: string; probabilities: { label: string; probability: number }[] }; test: { accuracy: number } }>('classify.predict', classifyParams(card('finetuned'), demo.classifier));
  const c = await runCard(page, 'finetuned');
  await expect(c.getByTestId('predicted')).toHaveText(cls.prediction.label);
  const probs = c.getByRole('table', { name: 'Label probabilities' }).getByRole('row');
  for (const [r, p] of cls.prediction.probabilities.entries()) await expect(probs.nth(r)).toHaveText(`${p.label}${pct(p.probability)}`);
  await expect(c.getByTestId('test-accuracy')).toContainText(`Test accuracy ${pct(cls.test.accuracy)}`);

  type Prompted = Parameters<typeof predictedLabel>[0];
  const zero = await engine<Prompted>('prompt.classify', promptParams(demo.gpt, 'zero-shot', 'e2e-tour-zero'));
  const z = await runCard(page, 'zero-shot');
  await expect(z.getByTestId('predicted')).toHaveText(predictedLabel(zero, PROMPT_FORMAT.classes)!);
  await expect(z.getByTestId('prompt-text')).toHaveText(zero.results[0].examplePrompt);

  const few = await engine<Prompted>('prompt.classify', promptParams(demo.gpt, 'few-shot', 'e2e-tour-few'));
  const f = await runCard(page, 'few-shot');
  const rows = f.getByRole('table', { name: 'Accuracy by K' }).locator('tbody tr');
  await expect(rows).toHaveCount(few.results.length);
  for (const [r, k] of few.results.entries()) await expect(rows.nth(r)).toHaveText(`${k.k}${pct(k.accuracy)}${k.macroF1.toFixed(3)}`);
  await page.screenshot({ path: 'test-results/tour.png', fullPage: true });
});

test('a card opens the attention explorer on its sentence, the batch as the model sees it, and the projector', async ({ page }) => {
  test.setTimeout(180_000);
  const cat = card('mask-cat');
  await openPage(page, env.bridge.url, 'Tour');
  const box = page.locator('article[data-card="mask-cat"]');

  // The batch: a real step-0 batch of BERT's objective on the sample corpus.
  await box.getByRole('button', { name: 'The batch as the model sees it' }).click();
  await expect(box.getByRole('region', { name: `${cat.title}: batch` })).toBeVisible({ timeout: 60_000 });
  await expect(box.getByRole('region', { name: `${cat.title}: batch` })).toContainText('[MASK]');

  // Attention: the checkpoint's maps of the sentence, token for token the engine's.
  const want = await engine<{ sentences: { tokens: string[] }[] }>('attention.inspect', { source: { kind: 'checkpoint', runDir: demo.bert }, sentences: [cat.sentence] });
  await box.getByRole('button', { name: 'Attention on this sentence' }).click();
  await expect(page.getByRole('heading', { name: 'Attention', level: 1 })).toBeVisible();
  for (const token of want.sentences[0].tokens.filter((t) => !t.startsWith('['))) await expect(page.locator('#page')).toContainText(token);

  // Projector: the sentence's contextual embeddings; a searched token's coordinates and neighbours are the engine's.
  await openPage(page, env.bridge.url, 'Tour');
  const source = { kind: 'sentence', text: cat.sentence };
  const proj = await engine<{ step: number; dims: number; coords: number[]; points: { text: string }[] }>('embeddings.project', { runDir: demo.bert, source, method: 'pca', dims: 2 });
  await page.locator('article[data-card="mask-cat"]').getByRole('button', { name: 'Projector' }).click();
  await expect(page.getByTestId('projector-caption')).toContainText(`${TOUR_MODELS.bert} · step ${proj.step} · contextual embeddings of “${cat.sentence}”, PCA 2D`, { timeout: 60_000 });
  const index = proj.points.findIndex((p) => p.text === '猫');
  expect(index).toBeGreaterThanOrEqual(0);
  const near = await engine<{ neighbours: { text: string; score: number }[] }>('embeddings.neighbours', { runDir: demo.bert, step: proj.step, source, index, k: 10 });
  const search = page.getByRole('region', { name: 'Token search' });
  await search.getByRole('searchbox', { name: 'Search token' }).fill('猫');
  await search.getByRole('button', { name: 'Find' }).click();
  const coords = [0, 1].map((c) => proj.coords[index * proj.dims + c].toFixed(4)).join(', ');
  await expect(search.getByTestId('projector-coords')).toHaveText(`(${coords})`);
  const rows = search.getByRole('table', { name: 'Nearest neighbours' }).locator('tbody tr');
  await expect(rows).toHaveCount(near.neighbours.length);
  for (const [r, n] of near.neighbours.entries()) await expect(rows.nth(r).locator('td').nth(2)).toHaveText(n.score.toFixed(4));
  await page.screenshot({ path: 'test-results/tour-projector.png' });
});
