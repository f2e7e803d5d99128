// The renderer's corpus state keeps the newest host snapshot: a command's reply may reach it after
// a corpus.changed event that the host sent later (the import finished first), and must not undo it.
import { describe, expect, it } from 'vitest';
import type { CorpusEntry, CorpusSnapshot } from '../../../src/protocol/commands/corpus-schemas.ts';
import type { ReplyOutcome, StudioEvent, StudioTransport } from '../../../src/protocol/index.ts';
import { StudioApi } from '../../../src/renderer/api/studio-api.ts';
import { CorpusState } from '../../../src/renderer/state/corpus.svelte.ts';

function entry(status: CorpusEntry['status'], bytes: number): CorpusEntry {
  return { id: 'e1', name: 'zebracorn.txt', path: '/up/zebracorn.txt', source: 'upload', status, bytes, documents: status === 'ok' ? 12 : 0, warnings: 0, errors: 0, issues: [], stats: null };
}

function snapshot(session: string, version: number, status: CorpusEntry['status']): CorpusSnapshot {
  return { files: [entry(status, status === 'ok' ? 1234 : 0)], stats: null, tokenizer: null, initialized: true, session, version };
}

/** A transport whose replies the test releases by hand, and whose events it emits. */
function manualTransport() {
  let listener: (e: StudioEvent) => void = () => {};
  const pending: ((o: ReplyOutcome) => void)[] = [];
  const transport: StudioTransport = {
    kind: 'browser',
    request: () => new Promise<ReplyOutcome>((resolve) => pending.push(resolve)),
    onEvent: (l) => {
      listener = l;
      return () => {};
    },
  };
  return { transport, emit: (e: StudioEvent) => listener(e), reply: (result: unknown) => pending.shift()!({ ok: true, result }) };
}

describe('CorpusState', () => {
  it('keeps an import that finished before the reply of the call that started it arrived', async () => {
    const t = manualTransport();
    const state = new CorpusState(new StudioApi(t.transport));
    const adding = state.addPaths(['/up/zebracorn.txt']);
    t.emit({ type: 'corpus.changed', snapshot: snapshot('s1', 3, 'ok') });
    t.reply(snapshot('s1', 2, 'importing')); // the older snapshot, delivered late
    await adding;
    expect(state.files.map((f) => [f.status, f.documents])).toEqual([['ok', 12]]);
  });

  it('applies snapshots in order, and a restarted host session from its first version', async () => {
    const t = manualTransport();
    const state = new CorpusState(new StudioApi(t.transport));
    t.emit({ type: 'corpus.changed', snapshot: snapshot('s1', 5, 'importing') });
    t.emit({ type: 'corpus.changed', snapshot: snapshot('s1', 6, 'ok') });
    expect(state.files[0].status).toBe('ok');
    t.emit({ type: 'corpus.changed', snapshot: snapshot('s2', 1, 'importing') });
    expect(state.files[0].status).toBe('importing');
  });

  it("times the duplicate checks after reading as a phase of their own (the ETA starts afresh)", () => {
    const t = manualTransport();
    const state = new CorpusState(new StudioApi(t.transport));
    const at = (version: number, progress: number, phase?: 'duplicates') =>
      t.emit({ type: 'corpus.changed', snapshot: { ...snapshot('s1', version, 'importing'), files: [{ ...entry('importing', 0), progress, ...(phase ? { phase } : {}) }] } });
    at(1, 0.2);
    const reading = state.importStarts.e1;
    at(2, 0.9);
    expect(state.importStarts.e1).toBe(reading);
    at(3, 0.1, 'duplicates');
    expect(state.importStarts.e1).toMatchObject({ key: 'e1:duplicates', fraction: 0.1 });
    expect(state.importStarts.e1).not.toBe(reading);
  });
});
