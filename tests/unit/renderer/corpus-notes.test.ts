// @vitest-environment happy-dom
// The Corpus page's file list shows what an import guessed (a table's text column) beside the
// file, as the host's snapshot carries it; the snapshot schema keeps the notes on the wire.
import * as v from 'valibot';
import { afterEach, expect, test } from 'vitest';
import { CorpusEntrySchema, type CorpusEntry } from '../../../src/protocol/commands/corpus-schemas.ts';
import FileList from '../../../src/renderer/pages/corpus/FileList.svelte';
import { render } from './mount.ts';

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

const note = 'cmn-eng.tsv: text column "english" (guessed from the rows: the header names none of text, sentence, review, content, body)';
const entry = (id: string, notes?: string[]): CorpusEntry => ({
  id, name: `${id}.tsv`, path: `/data/${id}.tsv`, source: 'path', status: 'ok', bytes: 100, documents: 3, warnings: 0, errors: 0, issues: [], stats: null, ...(notes ? { notes } : {}),
});

test('a guessed text column is listed beside its file; a file without guesses shows none', () => {
  const files = [entry('cmn-eng', [note]), entry('plain')];
  for (const f of files) expect(v.parse(CorpusEntrySchema, f)).toEqual(f);
  const r = render(FileList, { files, uploads: [], selected: null, onselect: () => {}, onremove: () => {}, ondismiss: () => {} });
  cleanup.push(() => r.destroy());
  const items = [...r.target.querySelectorAll('[data-testid="corpus-file"]')];
  expect(items.map((li) => [...li.querySelectorAll('[data-testid="corpus-note"]')].map((p) => p.textContent))).toEqual([[note], []]);
});
