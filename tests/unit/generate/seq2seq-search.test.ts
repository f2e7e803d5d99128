// Encoder-decoder decoding against a reference: greedy and beam search (widths 2–4, length
// penalties 0, 1, 2, three EOS choices) on the golden BART through the engine's graph, compared
// with the same search in float64 PyTorch (tests/goldens/bart_beam.json, from
// scripts/goldens/make_beam.py): every finished hypothesis, its tokens and its scores, once
// through the uncached graph and once through the KV-cached decoder (seq2seq-decoder.ts). Then the
// search alone on a toy table: width 1 is greedy, early stopping, max length.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Seq2SeqDecoder } from '../../../src/engine/generate/seq2seq-decoder';
import { Seq2SeqForward, type Seq2SeqModel } from '../../../src/engine/generate/seq2seq-forward';
import { beamSearch, greedySearch, logSoftmax, type NextLogProbs } from '../../../src/engine/generate/seq2seq-search';
import { loadGolden } from '../model/goldens';

interface Hyp { tokens: number[]; score: number; normalized: number }
interface Case { source: number[]; eos: number; beams: number; lengthPenalty: number; hypotheses: Hyp[] }
const ref = JSON.parse(readFileSync(join(__dirname, '..', '..', 'goldens', 'bart_beam.json'), 'utf8')) as { start: number; maxLength: number; cases: Case[] };

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

test.each([
  ['the uncached graph', (g: ReturnType<typeof loadGolden>) => new Seq2SeqForward(ctx, g.layout.config, g.flatParams)],
  ['the KV-cached decoder', (g: ReturnType<typeof loadGolden>) => new Seq2SeqDecoder(ctx, g.layout.config, g.flatParams)],
] as [string, (g: ReturnType<typeof loadGolden>) => Seq2SeqModel & { destroy(): void }][])('greedy and beam search on the golden BART through %s equal the PyTorch reference (tokens exactly, scores within 1e-4)', async (name, make) => {
  const g = loadGolden('bart');
  const fwd = make(g);
  let worst = 0, differ = 0;
  try {
    for (const c of ref.cases) {
      const what = `source ${c.source.join(',')} eos ${c.eos} beams ${c.beams} alpha ${c.lengthPenalty}`;
      const next = fwd.nextFor(c.source, ref.maxLength + 1);
      const o = { start: ref.start, eos: c.eos, maxLength: ref.maxLength, beams: c.beams, lengthPenalty: c.lengthPenalty };
      const hyps = c.beams > 1 ? await beamSearch(next, o) : [await greedySearch(next, o)];
      expect(hyps.map((h) => h.tokens), what).toEqual(c.hypotheses.map((h) => h.tokens));
      hyps.forEach((h, i) => {
        worst = Math.max(worst, Math.abs(h.score - c.hypotheses[i].score), Math.abs(h.normalized - c.hypotheses[i].normalized));
      });
      if (c.beams > 1) {
        const greedy = ref.cases.find((x) => x.beams === 1 && x.eos === c.eos && x.source.join() === c.source.join())!;
        if (greedy.hypotheses[0].tokens.join() !== c.hypotheses[0].tokens.join()) differ++;
      }
    }
  } finally {
    fwd.destroy();
  }
  console.log(`seq2seq search through ${name}: ${ref.cases.length} cases, max score difference ${worst.toExponential(2)}; beam differs from greedy in ${differ}`);
  expect(worst).toBeLessThan(1e-4);
  expect(differ).toBeGreaterThan(5); // the reference exercises beams that greedy does not find
});

/** A toy model: the next token's logits depend on the last token and the position only. */
function toy(V: number, seed: number): NextLogProbs {
  const table = Array.from({ length: V * 16 }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 3);
  return async (prefixes) => prefixes.map((p) => {
    const row = ((p[p.length - 1] * 7 + p.length) % 16) * V;
    return logSoftmax(table.slice(row, row + V));
  });
}

test('width 1 is greedy; a finished search stops early; the cut at maxLength finishes the live beams', async () => {
  for (let seed = 1; seed < 20; seed++) {
    const next = toy(6, seed);
    const o = { start: 0, eos: 1, maxLength: 7, lengthPenalty: 1 };
    const greedy = await greedySearch(next, o);
    const [best] = await beamSearch(next, { ...o, beams: 1 });
    expect(best.tokens).toEqual(greedy.tokens);
    expect(best.score).toBeCloseTo(greedy.score, 12);
  }
  // EOS is never likely: every hypothesis runs to maxLength, width of them.
  const never: NextLogProbs = async (ps) => ps.map(() => logSoftmax([0, -50, 1, 2, 0.5]));
  const cut = await beamSearch(never, { start: 0, eos: 1, maxLength: 4, beams: 3 });
  expect(cut.map((h) => h.tokens)).toEqual([[3, 3, 3, 3], [3, 3, 3, 2], [3, 3, 2, 3]]);
  // EOS is the most likely at once: width hypotheses finish in the first steps and the search stops.
  let calls = 0;
  const eager: NextLogProbs = async (ps) => { calls++; return ps.map(() => logSoftmax([0, 5, 1, 0])); };
  const done = await beamSearch(eager, { start: 0, eos: 1, maxLength: 50, beams: 2 });
  expect(done[0].tokens).toEqual([1]);
  expect(calls).toBeLessThan(4);
  await expect(beamSearch(eager, { start: 0, eos: 1, maxLength: 0 })).rejects.toThrow(/maxLength must be a whole number >= 1/);
});
