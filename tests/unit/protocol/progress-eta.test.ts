// The ETA of a preparation phase (the CLI's line and the app's progress bar): the part still to
// do at the rate seen so far, from the phase's start or from where a page first saw it
// (the page's phase clock: tests/unit/renderer/phase-progress.test.ts).
import { expect, test } from 'vitest';
import { parseEvent, parseResult } from '../../../src/protocol/index.ts';
import { phaseEtaMs } from '../../../src/protocol/progress-eta.ts';

test('ETA is the remaining fraction at the rate so far', () => {
  // A quarter in 30 s: three quarters left at that rate is 90 s.
  expect(phaseEtaMs(0.25, 30_000)).toBe(90_000);
  expect(phaseEtaMs(0.5, 10_000)).toBe(10_000);
  // Watched from 40%: 20% more in 10 s, 40% left → 20 s.
  expect(phaseEtaMs(0.6, 10_000, 0.4)).toBeCloseTo(20_000, 9);
});

test('no ETA without a rate, or once done', () => {
  for (const [f, ms, from] of [[0, 5000, 0], [0.3, 0, 0], [0.3, 1000, 0.3], [1, 1000, 0], [Number.NaN, 1000, 0], [0.2, 1000, 0.5]]) {
    expect(phaseEtaMs(f, ms, from), `${f} ${ms} ${from}`).toBeNaN();
  }
});

test('the ETA falls as a phase moves at a steady rate', () => {
  // 1% every 100 ms: the ETA at each update is the true time left.
  for (let i = 1; i < 100; i++) expect(phaseEtaMs(i / 100, i * 100)).toBeCloseTo((100 - i) * 100, 6);
});

test('preparation progress on the wire: a fraction outside 0..1 is refused; run.status carries phase and fraction', () => {
  const prepare = (fraction: number) => parseEvent({ type: 'run.prepare', runId: 'r', phase: 'tokenizer', message: 'training', fraction });
  expect(prepare(0.25)).toMatchObject({ type: 'run.prepare', phase: 'tokenizer', fraction: 0.25 });
  expect(prepare(1.5)).toBeUndefined();
  expect(prepare(-0.1)).toBeUndefined();
  const active = {
    runId: 'r', runDir: '/runs/a', name: 'a', state: 'preparing', prepare: 'tokenized 10 of 40 documents', preparePhase: 'shards', prepareFraction: 0.25,
    objective: 'clm', parameters: 0, memoryBytes: 0, model: null, totalSteps: 0, progress: null, samples: [], attention: null, attentionSteps: [],
  };
  expect(parseResult('run.status', { active, runsDir: '/runs' })).toMatchObject({ ok: true });
  expect(parseResult('run.status', { active: { ...active, prepareFraction: 2 }, runsDir: '/runs' })).toMatchObject({ ok: false });
});
