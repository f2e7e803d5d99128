// The Data page's tokenizer training state: the host's progress (snapshot.training) drives the bar
// with a phase clock; Cancel sends tokenizer.cancel, and the failure the cancel causes is not shown
// as an error (the panel goes back to what it showed).
import { expect, it } from 'vitest';
import type { CorpusSnapshot } from '../../../src/protocol/commands/corpus-schemas.ts';
import type { ReplyOutcome, StudioEvent, StudioTransport } from '../../../src/protocol/index.ts';
import { StudioApi } from '../../../src/renderer/api/studio-api.ts';
import { CorpusState } from '../../../src/renderer/state/corpus.svelte.ts';

function snapshot(version: number, training?: CorpusSnapshot['training']): CorpusSnapshot {
  return { files: [], stats: null, tokenizer: null, ...(training ? { training } : {}), initialized: true, session: 's', version };
}

it('shows the host training progress, and a cancel leaves no error', async () => {
  let listener: (e: StudioEvent) => void = () => {};
  const sent: { type: string; resolve: (o: ReplyOutcome) => void }[] = [];
  const transport: StudioTransport = {
    kind: 'browser',
    request: (type) => new Promise<ReplyOutcome>((resolve) => sent.push({ type, resolve })),
    onEvent: (l) => { listener = l; return () => {}; },
  };
  const state = new CorpusState(new StudioApi(transport));
  const training = state.trainTokenizer('clm');
  expect(state.training).toBe(true);
  listener({ type: 'corpus.changed', snapshot: snapshot(1, { phase: 'train', fraction: 0.25, message: 'training a bpe tokenizer' }) });
  expect(state.trainingProgress).toEqual({ phase: 'train', fraction: 0.25, message: 'training a bpe tokenizer' });
  const start = state.trainingStart;
  expect(start?.key).toBe('train');
  listener({ type: 'corpus.changed', snapshot: snapshot(2, { phase: 'train', fraction: 0.5, message: 'training a bpe tokenizer' }) });
  expect(state.trainingStart).toBe(start); // the same phase keeps its clock (the ETA's rate)

  const cancelling = state.cancelTokenizer();
  expect(state.cancellingTokenizer).toBe(true);
  expect(sent.map((s) => s.type)).toEqual(['tokenizer.train', 'tokenizer.cancel']);
  sent[1].resolve({ ok: true, result: snapshot(3) });
  await cancelling;
  sent[0].resolve({ ok: false, error: { name: 'Error', message: 'tokenizer training cancelled' } });
  await training;
  expect(state.training).toBe(false);
  expect(state.tokenizerError).toBeNull();
  expect(state.trainingProgress).toBeNull();
  expect(state.cancellingTokenizer).toBe(false);

  // A failure nobody asked for is shown.
  const again = state.trainTokenizer('clm');
  sent[2].resolve({ ok: false, error: { name: 'Error', message: 'out of memory' } });
  await again;
  expect(state.tokenizerError).toContain('out of memory');
});
