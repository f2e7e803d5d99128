// The host's corpus session on real files: per-file import status and issues, merged statistics,
// chunked uploads, tokenizer training and encoding, the step-0 batch preview, the objective probe.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../../src/protocol/index.ts';
import { CorpusSession } from '../../../src/engine/host/corpus/session.ts';
import { mergeStats } from '../../../src/engine/host/corpus/stats.ts';
import { batchPreview } from '../../../src/engine/host/handlers/batch-preview.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'h9-corpus-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const EN = 'The quick brown fox jumps over the lazy dog.\n\nA second paragraph about foxes and dogs, long enough to split.\n';
const ZH = '今天天气很好，我们去公园散步。\n\n机器学习是人工智能的一个分支。\n';

describe('CorpusSession', () => {
  it('imports files one by one with status, issues and merged statistics', async () => {
    const events: StudioEvent[] = [];
    const session = new CorpusSession((e) => events.push(e), undefined, join(dir, 'work1'));
    await writeFile(join(dir, 'en.txt'), EN);
    await writeFile(join(dir, 'zh.txt'), ZH);
    await writeFile(join(dir, 'empty.txt'), '');
    await writeFile(join(dir, 'bad.txt'), Buffer.from([0, 1, 2, 3, 0, 0, 255, 254, 0, 7]));
    const { started } = session.add([join(dir, 'en.txt'), join(dir, 'zh.txt'), join(dir, 'empty.txt'), join(dir, 'bad.txt')], false);
    expect(session.snapshot().files.map((f) => f.status)).toEqual(['importing', 'importing', 'importing', 'importing']);
    await Promise.all(started);
    const snap = session.snapshot();
    const byName = Object.fromEntries(snap.files.map((f) => [f.name, f]));
    expect(byName['en.txt'].status).toBe('ok');
    expect(byName['en.txt'].documents).toBe(2);
    expect(byName['zh.txt'].stats!.scripts.han).toBeGreaterThan(20);
    for (const bad of ['empty.txt', 'bad.txt']) {
      expect(byName[bad].status).toBe('error');
      expect(byName[bad].issues[0].file).toContain(bad);
      expect(byName[bad].issues[0].severity).toBe('error');
    }
    expect(snap.stats!.documents).toBe(4);
    expect(snap.stats!.characters).toBe(byName['en.txt'].stats!.characters + byName['zh.txt'].stats!.characters);
    expect(events.filter((e) => e.type === 'corpus.changed').length).toBeGreaterThanOrEqual(5);

    const page = await session.documents(byName['zh.txt'].id, 1, 5, 5);
    expect(page.total).toBe(2);
    expect(page.documents).toEqual([{ index: 1, text: '机器学习是', truncated: true }]);

    await session.remove(byName['bad.txt'].id);
    expect(session.snapshot().files.length).toBe(3);
  });

  it('reassembles chunked uploads and refuses chunks out of order or escaping the folder', async () => {
    const session = new CorpusSession(() => {}, undefined, join(dir, 'work2'));
    const bytes = new TextEncoder().encode(ZH + '\n' + EN);
    const a = await session.upload('u1', 'folder/notes.txt', 0, bytes.subarray(0, 7), false);
    expect(a.path).toBeUndefined();
    await expect(session.upload('u1', 'folder/notes.txt', 3, bytes.subarray(7), true)).rejects.toThrow(/expected 7/);
    const b = await session.upload('u1', 'folder/notes.txt', 7, bytes.subarray(7), true);
    expect(await readFile(b.path!, 'utf8')).toBe(ZH + '\n' + EN);
    await expect(session.upload('u2', '../x.txt', 0, bytes, true)).rejects.toThrow(/relative/);
    const { started } = session.add([b.path!], false);
    await Promise.all(started);
    const entry = session.snapshot().files[0];
    expect(entry).toMatchObject({ name: 'folder/notes.txt', source: 'upload', status: 'ok', documents: 4 });
  });

  it('trains the tokenizer a run would and encodes Chinese with it', async () => {
    const session = new CorpusSession(() => {}, undefined, join(dir, 'work3'));
    await writeFile(join(dir, 'mix.txt'), (ZH + EN).repeat(3));
    await Promise.all(session.add([join(dir, 'mix.txt')], false).started);
    expect(() => session.encode('x')).toThrow(/no tokenizer/);
    const info = await session.trainTokenizer('char', 4096, 'clm');
    expect(info.scheme).toBe('plain');
    expect(info.specials).toEqual([]); // GPT char-level: no specials, as nanoGPT
    const { tokens } = session.encode('今天很好');
    expect(tokens.map((t) => t.text)).toEqual(['今', '天', '很', '好']);
    // Char-level with no specials: one token per character of the imported documents.
    expect(info.tokens).toBe(session.snapshot().stats!.characters);
    const bpe = await session.trainTokenizer('bpe', 300, 'clm');
    expect(bpe.scheme).toBe('byte-level');
    expect(session.snapshot().stats!.tokens).toBe(bpe.tokens);
  });
});

describe('mergeStats', () => {
  it('adds counts, histograms and labels', () => {
    const base = { documents: 1, characters: 10, bytes: 12, tokens: null, scripts: { han: 1, latin: 2, otherLetters: 0 }, documentsByScript: { han: 0, latin: 1, mixed: 0 }, lengthHistogram: { edges: [0, 1, 2], counts: [0, 1, 0] }, labels: { a: 1 }, duplicatesDropped: 0, emptyDropped: 1 };
    const m = mergeStats([base, { ...base, labels: { a: 2, b: 1 }, lengthHistogram: { edges: [0, 1, 2], counts: [1, 0, 3] } }]);
    expect(m).toMatchObject({ documents: 2, characters: 20, labels: { a: 3, b: 1 }, lengthHistogram: { counts: [1, 1, 3] }, emptyDropped: 2 });
  });
});

describe('batch.preview and objectives', () => {
  it('draws the trainer step-0 batch: targets are the inputs shifted by one', async () => {
    const text = Array.from({ length: 40 }, (_, i) => `Paragraph ${i}: the fox ran ${i} times around the tree.`).join('\n\n');
    await writeFile(join(dir, 'fox.txt'), text);
    const r = await batchPreview({ objective: 'clm', corpus: [join(dir, 'fox.txt')], tokenizer: 'char', vocabSize: 4096, valFraction: 0.1, split: 'document', blockSize: 16, rows: 2, seed: 1337, runsDir: join(dir, 'runs') }, null as never);
    expect(r.rows.length).toBe(2);
    for (const row of r.rows) {
      if (row.kind !== 'causal') throw new Error(`expected a causal row, got ${row.kind}`);
      expect(row.inputs.length).toBe(16);
      for (let i = 0; i + 1 < 16; i++) expect(row.targets[i]!.id).toBe(row.inputs[i + 1].id);
      const shown = row.inputs.map((t) => t.text).join('');
      expect(text.includes(shown.split('\n\n')[0])).toBe(true);
    }
  });

  it('draws the trainer MLM batch: [CLS] A [SEP] B [SEP], masked positions carry the original token', async () => {
    // NSP pairs sentences of one document, so each paragraph holds several.
    const text = Array.from({ length: 40 }, (_, i) => `Paragraph ${i}: the fox ran ${i} times. It stopped by the tree. Then it slept.`).join('\n\n');
    await writeFile(join(dir, 'fox-sentences.txt'), text);
    const r = await batchPreview({ objective: 'mlm+nsp', corpus: [join(dir, 'fox-sentences.txt')], tokenizer: 'char', vocabSize: 400, valFraction: 0.1, split: 'document', blockSize: 24, rows: 4, seed: 1, runsDir: join(dir, 'runs') }, null as never);
    let predicted = 0;
    for (const row of r.rows) {
      if (row.kind !== 'mlm') throw new Error(`expected an mlm row, got ${row.kind}`);
      expect(row.inputs[0].text).toBe('[CLS]');
      expect(row.inputs.at(-1)!.text).toBe('[SEP]');
      expect(row.inputs.filter((t) => t.text === '[SEP]').length).toBe(2);
      row.inputs.forEach((t, i) => {
        const label = row.labels[i];
        expect(label === null).toBe(t.mark === undefined);
        if (t.mark === 'mask') expect(t.text).toBe('[MASK]');
        if (t.mark === 'kept') expect(t.id).toBe(label!.id);
        if (label) predicted++;
      });
    }
    expect(predicted).toBeGreaterThan(0);
  });

  it('draws the BART batch: the corrupted input with [MASK] spans, the whole text as the target', async () => {
    const r = await batchPreview({ objective: 'bart', corpus: [join(dir, 'fox.txt')], tokenizer: 'char', vocabSize: 400, valFraction: 0.1, split: 'document', blockSize: 24, rows: 4, seed: 1, runsDir: join(dir, 'runs') }, null as never);
    let hidden = 0;
    for (const row of r.rows) {
      if (row.kind !== 'denoise') throw new Error(`expected a denoise row, got ${row.kind}`);
      expect(row.inputs[0].text).toBe('[CLS]');
      expect(row.inputs.at(-1)!.text).toBe('[SEP]');
      expect(row.targets.length).toBe(23); // n = blockSize - 2 text tokens, then [SEP]
      expect(row.targets.at(-1)!.text).toBe('[SEP]');
      // Every unmasked input token is the target's next unhidden token, in order.
      const kept = row.inputs.slice(1, -1).filter((t) => t.mark !== 'mask').map((t) => t.id);
      const unhidden = row.targets.slice(0, -1).filter((t) => t.mark !== 'mask').map((t) => t.id);
      expect(kept).toEqual(unhidden.slice(0, kept.length));
      hidden += row.targets.filter((t) => t.mark === 'mask').length;
    }
    expect(hidden).toBeGreaterThan(0);
  });

  it('refuses a planned objective with its reason', async () => {
    const params = { objective: 'classify', corpus: [join(dir, 'fox.txt')], tokenizer: 'char' as const, vocabSize: 400, valFraction: 0.1, split: 'document' as const, blockSize: 24, rows: 1, seed: 1, runsDir: join(dir, 'runs') };
    await expect(batchPreview(params, null as never)).rejects.toThrow(/'classify' is not available yet: it learns from labeled rows on a pretrained run: npm run finetune/);
  });
});
