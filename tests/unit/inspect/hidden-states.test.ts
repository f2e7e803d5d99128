// Contextual embeddings (the final hidden states) against PyTorch: the GPT golden's logits are
// h · wteᵀ (tied LM head, no bias), so hidden states that reproduce them through that one
// product, in float64 here, are HF's last_hidden_state; the BART golden's encoder output is
// compared directly (tests/goldens/bart_encoder_states.json, scripts/goldens/make_encoder_states.py).
// Also: token embedding rows are the checkpoint's table rows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { HiddenStates } from '../../../src/engine/inspect/hidden-states';
import { TOKEN_EMBEDDINGS, tokenEmbeddingRows } from '../../../src/engine/inspect/token-table';
import { loadGolden, relativeError } from '../model/goldens';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

test('GPT hidden states times wteᵀ give the PyTorch golden logits', async () => {
  const g = loadGolden('gpt');
  const { nEmbd: C, vocabSize: V, blockSize: T } = g.cfg;
  const idx = g.input('idx');
  const logits = g.tensors.get('output.logits')!.data as Float32Array;
  const wte = g.layout.part(TOKEN_EMBEDDINGS.decoder);
  const forward = new HiddenStates(ctx, g.cfg, g.flatParams);
  try {
    for (let b = 0; b < g.batchSize; b++) {
      const ids = Array.from(idx.subarray(b * T, (b + 1) * T));
      const h = await forward.run(ids);
      expect(h.length).toBe(T * C);
      const got = new Float64Array(T * V);
      for (let t = 0; t < T; t++) for (let v = 0; v < V; v++) {
        let s = 0;
        for (let c = 0; c < C; c++) s += h[t * C + c] * g.flatParams[wte.offset + v * C + c];
        got[t * V + v] = s;
      }
      const { maxDiff, rel } = relativeError(got, logits.subarray(b * T * V, (b + 1) * T * V));
      console.log(`hidden states row ${b}: logits max diff ${maxDiff.toExponential(2)} (rel ${rel.toExponential(2)})`);
      expect(rel).toBeLessThan(1e-4);
    }
    // A prefix sees only itself: a GPT's first positions do not change when the row is cut.
    const full = await forward.run(Array.from(idx.subarray(0, T)));
    const cut = await forward.run(Array.from(idx.subarray(0, 4)));
    expect(relativeError(cut, full.subarray(0, 4 * C)).rel).toBeLessThan(1e-5);
    await expect(forward.run([])).rejects.toThrow(/no tokens/);
    await expect(forward.run(new Array(T + 1).fill(1))).rejects.toThrow(/reads at most 11/);
  } finally {
    forward.destroy();
  }
});

test('BART encoder states equal PyTorch\'s (a full row and a short one)', async () => {
  const g = loadGolden('bart');
  const want = JSON.parse(readFileSync(join(__dirname, '..', '..', 'goldens', 'bart_encoder_states.json'), 'utf8')) as { rows: { ids: number[]; hidden: number[] }[] };
  const forward = new HiddenStates(ctx, g.cfg, g.flatParams);
  try {
    for (const row of want.rows) {
      const h = await forward.run(row.ids);
      const { maxDiff, rel } = relativeError(h, row.hidden);
      console.log(`BART encoder states, ${row.ids.length} tokens: max diff ${maxDiff.toExponential(2)} (rel ${rel.toExponential(2)})`);
      expect(rel).toBeLessThan(1e-4);
    }
  } finally {
    forward.destroy();
  }
});

test('token embedding rows are the table\'s rows', () => {
  const g = loadGolden('bert');
  const part = g.layout.part(TOKEN_EMBEDDINGS.encoder);
  const C = g.cfg.nEmbd;
  const rows = tokenEmbeddingRows(g.layout, g.flatParams, [5, 0, 40]);
  expect(Array.from(rows.subarray(0, C))).toEqual(Array.from(g.flatParams.subarray(part.offset + 5 * C, part.offset + 6 * C)));
  expect(Array.from(rows.subarray(2 * C))).toEqual(Array.from(g.flatParams.subarray(part.offset + 40 * C, part.offset + 41 * C)));
  expect(() => tokenEmbeddingRows(g.layout, g.flatParams, [41])).toThrow(/id 41 is outside the 41-row table/);
});
