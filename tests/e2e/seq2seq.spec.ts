// The encoder-decoder playground on the real engine: a tiny BART (objective bart) and a tiny T5
// (t5-span) trained on the built-in sample corpus, then the Adapt page's reconstruction of each
// objective's default corrupted source, greedy and by beam search, each equal to the engine's
// seq2seq.translate answer for the same input: the text, its tokens, every finished beam, and the
// encoder's input as each objective frames it.
import { expect, test, type Locator } from '@playwright/test';
import { TestClient } from './bridge.ts';
import { openPage, startRunsBridge, TINY_OPTIONS, type RunsBridge } from './run-helpers.ts';

interface Answer { text: string; source: { token: string }[]; hypotheses: { text: string; tokens: { token: string }[]; normalized: number }[] }

let env: RunsBridge;
const runs: Record<'bart' | 't5-span', string> = { bart: '', 't5-span': '' };
test.beforeAll(async () => {
  env = await startRunsBridge('seq2seq');
  const client = await TestClient.connect(env.bridge);
  try {
    for (const objective of ['bart', 't5-span'] as const) {
      const reply = await client.request('run.start', { options: { ...TINY_OPTIONS, objective, steps: 20, name: objective } });
      if (!reply.ok) throw new Error(`run.start failed: ${JSON.stringify(reply)}`);
      const { runId, runDir } = reply.result as { runId: string; runDir: string };
      runs[objective] = runDir;
      const end = await client.next((m) => m.type === 'run.state' && m.runId === runId && ['finished', 'failed'].includes(m.state as string), 180_000);
      expect(end.state).toBe('finished');
    }
  } finally {
    client.close();
  }
});
test.afterAll(async () => {
  await env?.stop();
});

async function engineAnswer(runDir: string, params: Record<string, unknown>): Promise<Answer> {
  const client = await TestClient.connect(env.bridge);
  try {
    const reply = await client.request('seq2seq.translate', { runDir, ...params });
    if (!reply.ok) throw new Error(`seq2seq.translate failed: ${JSON.stringify(reply)}`);
    return reply.result as Answer;
  } finally {
    client.close();
  }
}

/** The shown output, exactly (whitespace included: an undertrained model emits spaces). */
async function shownText(playground: Locator): Promise<string> {
  return (await playground.getByTestId('seq2seq-output').textContent()) ?? '';
}

test('a BART run reconstructs the default corrupted source as the engine answers, greedy and by beam search', async ({ page }) => {
  const source = '天气[MASK]好。';
  const greedy = await engineAnswer(runs.bart, { source, beams: 1, lengthPenalty: 1, maxLength: 64 });
  const beam = await engineAnswer(runs.bart, { source, beams: 3, lengthPenalty: 1.5, maxLength: 12 });
  expect(beam.hypotheses.length).toBeGreaterThanOrEqual(3);

  await openPage(page, env.bridge.url, 'Adapt');
  const playground = page.getByRole('region', { name: 'Encoder-decoder playground' });
  await playground.getByRole('combobox', { name: 'Encoder-decoder run' }).selectOption(runs.bart);
  // The source defaults to the objective's corrupted probe.
  await expect(playground.getByRole('textbox', { name: 'Source text' })).toHaveValue(source);

  await playground.getByRole('button', { name: 'Reconstruct' }).click();
  await expect(playground.getByTestId('seq2seq-result')).toBeVisible({ timeout: 60_000 });
  expect(await shownText(playground)).toBe(greedy.text);
  await expect(playground.getByRole('list', { name: 'Output tokens' }).getByRole('listitem')).toHaveCount(greedy.hypotheses[0].tokens.length);

  await playground.getByRole('combobox', { name: 'Search' }).selectOption('beam');
  await playground.getByRole('spinbutton', { name: 'Beam width' }).fill('3');
  await playground.getByRole('spinbutton', { name: 'Length penalty' }).fill('1.5');
  await playground.getByRole('spinbutton', { name: 'Max length' }).fill('12');
  await playground.getByRole('button', { name: 'Reconstruct' }).click();
  const rows = playground.getByRole('table', { name: 'Beams' }).getByRole('row');
  await expect(rows).toHaveCount(beam.hypotheses.length + 1, { timeout: 60_000 });
  expect(await shownText(playground)).toBe(beam.text);
  for (const [i, h] of beam.hypotheses.entries()) await expect(rows.nth(i + 1)).toContainText(h.normalized.toFixed(3));
  await expect(playground.getByRole('list', { name: 'Output tokens' }).getByRole('listitem')).toHaveCount(beam.hypotheses[0].tokens.length);
  await page.screenshot({ path: 'test-results/seq2seq.png' });
});

test('a t5-span run starts from a sentinel source and frames it as T5 does', async ({ page }) => {
  const source = '天气<extra_id_0>好。';
  const want = await engineAnswer(runs['t5-span'], { source, beams: 1, lengthPenalty: 1, maxLength: 64 });
  expect(want.source[0].token).not.toBe('[CLS]'); // T5 appends EOS only

  await openPage(page, env.bridge.url, 'Adapt');
  const playground = page.getByRole('region', { name: 'Encoder-decoder playground' });
  await playground.getByRole('combobox', { name: 'Encoder-decoder run' }).selectOption(runs['t5-span']);
  await expect(playground.getByRole('textbox', { name: 'Source text' })).toHaveValue(source);
  await playground.getByRole('button', { name: 'Reconstruct' }).click();
  await expect(playground.getByTestId('seq2seq-result')).toBeVisible({ timeout: 60_000 });
  expect(await shownText(playground)).toBe(want.text);
  await expect(playground.getByLabel('Source tokens').locator('.piece')).toHaveText(want.source.map((p) => p.token));
});

test('a bad request is refused with the reason shown', async ({ page }) => {
  await openPage(page, env.bridge.url, 'Adapt');
  const playground = page.getByRole('region', { name: 'Encoder-decoder playground' });
  await playground.getByRole('textbox', { name: 'Source text' }).fill('');
  await playground.getByRole('button', { name: 'Reconstruct' }).click();
  await expect(playground.getByRole('alert')).toContainText('Type a source text');
  await playground.getByRole('textbox', { name: 'Source text' }).fill('天气[MASK]好。');
  await playground.getByRole('combobox', { name: 'Search' }).selectOption('beam');
  await playground.getByRole('spinbutton', { name: 'Beam width' }).fill('99');
  await playground.getByRole('button', { name: 'Reconstruct' }).click();
  await expect(playground.getByRole('alert')).toContainText('beams');
});
