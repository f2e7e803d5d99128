// The fill-mask playground on the real engine: a tiny BERT (mlm+nsp) trained on the built-in
// sample corpus, then the Adapt page's candidates for a sentence with two [MASK]s, each shown
// probability equal to the engine's mask.fill answer, and the NSP probability of a pair.
import { expect, test } from '@playwright/test';
import { TestClient } from './bridge.ts';
import { openPage, startRunsBridge, TINY_OPTIONS, type RunsBridge } from './run-helpers.ts';

const TEXT = 'The cat [MASK] on the [MASK].';
let env: RunsBridge;
let runDir: string;
test.beforeAll(async () => {
  env = await startRunsBridge('fill-mask');
  const client = await TestClient.connect(env.bridge);
  try {
    const reply = await client.request('run.start', { options: { ...TINY_OPTIONS, objective: 'mlm+nsp', tokenizer: 'wordpiece', vocabSize: 512, steps: 10, name: 'bert' } });
    if (!reply.ok) throw new Error(`run.start failed: ${JSON.stringify(reply)}`);
    ({ runDir } = reply.result as { runId: string; runDir: string });
    const runId = (reply.result as { runId: string }).runId;
    const end = await client.next((m) => m.type === 'run.state' && m.runId === runId && ['finished', 'failed'].includes(m.state as string), 120_000);
    expect(end.state).toBe('finished');
  } finally {
    client.close();
  }
});
test.afterAll(async () => {
  await env?.stop();
});

test('a BERT run fills two masks with the engine\'s probabilities and scores a sentence pair', async ({ page }) => {
  const client = await TestClient.connect(env.bridge);
  const reply = await client.request('mask.fill', { runDir, text: TEXT, topK: 5, next: 'It was warm.' });
  client.close();
  expect(reply.ok).toBe(true);
  const want = reply.result as { masks: { candidates: { text: string; probability: number }[] }[]; isNextProbability: number };
  expect(want.masks).toHaveLength(2);

  await openPage(page, env.bridge.url, 'Adapt');
  const playground = page.getByRole('region', { name: 'Fill-mask playground' });
  await expect(playground.getByRole('combobox', { name: 'BERT run' })).toHaveValue(runDir);
  await playground.getByRole('textbox', { name: 'Text with masks' }).fill(TEXT);
  await playground.getByRole('textbox', { name: 'Next sentence' }).fill('It was warm.');
  await playground.getByRole('button', { name: 'Predict' }).click();
  for (const [i, m] of want.masks.entries()) {
    const rows = playground.getByRole('table', { name: `Candidates for mask ${i + 1}` }).getByRole('row');
    await expect(rows).toHaveCount(5);
    for (const [r, c] of m.candidates.entries()) await expect(rows.nth(r)).toContainText(`${(c.probability * 100).toFixed(1)}%`);
  }
  await expect(playground).toContainText(`P(next sentence follows) = ${(want.isNextProbability * 100).toFixed(1)}%`);
  await page.screenshot({ path: 'test-results/fill-mask.png' });
});
