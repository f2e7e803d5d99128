// seq2seq with a tokenizer per side (sharedTokenizer false): each tokenizer is trained on its own
// side only, the shards hold source ids before [SEP] and target ids after it, the model gets a
// decoder vocabulary of its own (Marian's config keys), and the option is refused where there are
// no pairs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { modelConfigFor, paramLayoutFor, validateTrainOptions } from '../../../src/engine/config/train-config';
import { batchRng } from '../../../src/engine/data';
import { PairTokenizer } from '../../../src/engine/data/pair-tokenizer';
import { IGNORE_INDEX } from '../../../src/engine/ops/crossentropy';
import { trainableObjective } from '../../../src/engine/objectives/index.ts';
import { pairOf } from '../../../src/engine/objectives/seq2seq';
import { heldOutPairs } from '../../../src/engine/objectives/seq2seq-scores';
import { trainTokenizer } from '../../../src/engine/tokenizers';
import { prepareData } from '../../../src/engine/train/prepare';
import { batchPreview } from '../../../src/engine/host/handlers/batch-preview';
import { layoutOf } from '../../../src/engine/host/model/shape';

const dir = mkdtempSync(join(tmpdir(), 'seq2seq-tok-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = Array.from({ length: 40 }, (_, i) => [`I have ${i} cats.`, `我有${i}只猫。`]);
const tsv = join(dir, 'pairs.tsv');
writeFileSync(tsv, ['english\tchinese', ...rows.map(([e, z]) => `${e}\t${z}`)].join('\n') + '\n');
const sourceOnly = new Set(rows.flatMap(([e]) => [...e]));
const targetOnly = new Set(rows.flatMap(([, z]) => [...z]));

/** The learned entries of a char tokenizer's vocabulary: no specials, no '\n' (every char tokenizer has it: documents are joined by "\n\n"). */
const letters = (tok: { vocabSize: number; isSpecial(id: number): boolean; idToToken(id: number): string | undefined }) =>
  Array.from({ length: tok.vocabSize }, (_, id) => id).filter((id) => !tok.isSpecial(id)).map((id) => tok.idToToken(id)!).filter((t) => t !== '\n');

test('sharedTokenizer false: the source tokenizer saw only sources, the target tokenizer only targets; the shards hold each side in its own ids', async () => {
  const o = validateTrainOptions({ corpus: [tsv], objective: 'seq2seq', tokenizer: 'char', sharedTokenizer: false, blockSize: 12, valFraction: 0.2, runsDir: join(dir, 'runs') });
  const data = await prepareData(o);
  const src = data.tokenizer, tgt = data.targetTokenizer!;
  expect(tgt).toBeDefined();
  expect(new Set(letters(src))).toEqual(sourceOnly);
  expect(new Set(letters(tgt))).toEqual(targetOnly);
  for (const s of ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']) expect(tgt.tokenToId(s), s).toBe(src.tokenToId(s));
  const sep = src.tokenToId('[SEP]')!;
  const texts = new Set(rows.map(([e, z]) => `${e}|${z}`));
  for (let d = 0; d < data.dataset.meta.numDocuments; d++) {
    const p = pairOf(data.dataset, d, sep);
    expect(texts.has(`${src.decode([...p.source])}|${tgt.decode([...p.target])}`)).toBe(true);
  }
  // Held-out pairs decode each side with its own tokenizer.
  const held = heldOutPairs(data.dataset, data.val, { source: src, target: tgt }, 3);
  held.sources.forEach((s, i) => expect(texts.has(`${s}|${held.references[i]}`)).toBe(true));

  // The model: the encoder reads the source vocabulary, the decoder and its head the target's.
  const model = modelConfigFor(o, src.vocabSize, tgt.vocabSize);
  expect(model.vocabSize).toBe(src.vocabSize);
  expect(model.targetVocabSize).toBe(tgt.vocabSize);
  const layout = paramLayoutFor(o, model);
  expect(layout.part('model.encoder.embed_tokens.weight').shape).toEqual([src.vocabSize, model.nEmbd]);
  expect(layout.part('model.decoder.embed_tokens.weight').shape).toEqual([tgt.vocabSize, model.nEmbd]);
  expect(() => layout.part('model.shared.weight')).toThrow();
  const hf = trainableObjective('seq2seq').hfConfig(model, src);
  expect(hf).toMatchObject({ vocab_size: src.vocabSize, decoder_vocab_size: tgt.vocabSize, share_encoder_decoder_embeddings: false });

  // The collator: encoder rows in source ids, decoder rows and labels in target ids; the preview decodes each side with its own tokenizer.
  const entry = trainableObjective('seq2seq');
  const T = 12, B = 8;
  const b = entry.collator(src, o, tgt).batch(data.dataset, data.train, B, T, batchRng(1, 0, 'train'));
  for (let r = 0; r < B; r++) {
    const enc = [...b.input_ids.subarray(r * T, r * T + b.kvLen[r])].slice(1, -1);
    const labels = [...b.labels.subarray(r * T, (r + 1) * T)].filter((v) => v !== IGNORE_INDEX && v !== sep);
    expect(rows.some(([e]) => e.startsWith(src.decode(enc)))).toBe(true);
    expect(rows.some(([, z]) => z === tgt.decode(labels))).toBe(true);
  }
  const preview = entry.collator(src, o, tgt).preview(data.dataset, data.train, 2, T, batchRng(1, 0, 'train'), src);
  for (const row of preview) {
    if (row.kind !== 'denoise') throw new Error('seq2seq previews are encoder/decoder rows');
    expect(row.targets.map((t) => t.text).join('')).toMatch(/^我有\d+只猫。/);
  }
});

test('a shared tokenizer (the default) is one vocabulary for both sides, and the layout keeps BART\'s model.shared', async () => {
  const o = validateTrainOptions({ corpus: [tsv], objective: 'seq2seq', tokenizer: 'char', blockSize: 12, valFraction: 0.2, runsDir: join(dir, 'runs') });
  const data = await prepareData(o);
  expect(data.targetTokenizer).toBeUndefined();
  expect(new Set(letters(data.tokenizer))).toEqual(new Set([...sourceOnly, ...targetOnly]));
  const model = modelConfigFor(o, data.tokenizer.vocabSize);
  expect(model.targetVocabSize).toBeUndefined();
  expect(paramLayoutFor(o, model).part('model.shared.weight').shape[0]).toBe(data.tokenizer.vocabSize);
  expect(trainableObjective('seq2seq').hfConfig(model, data.tokenizer)).not.toHaveProperty('decoder_vocab_size');
});

test('the Model page\'s estimate of a per-side run: the preview reports both vocabularies, and the shape counts the parameters the run lays out', async () => {
  const runsDir = join(dir, 'runs');
  const preview = await batchPreview({ objective: 'seq2seq', corpus: [tsv], tokenizer: 'char', vocabSize: 4096, sharedTokenizer: false, valFraction: 0.2, split: 'document', blockSize: 12, rows: 1, seed: 1, runsDir }, null as never);
  const o = validateTrainOptions({ corpus: [tsv], objective: 'seq2seq', tokenizer: 'char', sharedTokenizer: false, blockSize: 12, valFraction: 0.2, split: 'document', runsDir });
  const data = await prepareData(o);
  expect(preview.vocabSize).toBe(data.tokenizer.vocabSize);
  expect(preview.targetVocabSize).toBe(data.targetTokenizer!.vocabSize);
  expect(preview.targetVocabSize).not.toBe(preview.vocabSize); // Chinese and English letters differ in number
  const shape = { objective: 'seq2seq', vocabSize: preview.vocabSize, targetVocabSize: preview.targetVocabSize, nLayer: o.nLayer, nHead: o.nHead, nEmbd: o.nEmbd, blockSize: o.blockSize, ffWidth: o.ffWidth, dropout: o.dropout, bias: o.bias, batchSize: o.batchSize, gradAccum: o.gradAccum };
  const run = paramLayoutFor(o, modelConfigFor(o, data.tokenizer.vocabSize, data.targetTokenizer!.vocabSize)); // run.ts's layout
  expect(layoutOf(shape).count).toBe(run.count);
  expect(layoutOf({ ...shape, targetVocabSize: undefined }).count).not.toBe(run.count);
  // A shared-tokenizer preview names one vocabulary.
  const joint = await batchPreview({ objective: 'seq2seq', corpus: [tsv], tokenizer: 'char', vocabSize: 4096, valFraction: 0.2, split: 'document', blockSize: 12, rows: 1, seed: 1, runsDir }, null as never);
  expect(joint.targetVocabSize).toBeUndefined();
});

test('sharedTokenizer false is refused for objectives without pairs; tokenizers whose specials differ are refused', async () => {
  expect(() => validateTrainOptions({ objective: 'clm', corpus: [tsv], sharedTokenizer: false })).toThrow(/sharedTokenizer false \(a tokenizer per side\) is for objectives that read pairs/);
  const bert = await trainTokenizer(['abc'], { kind: 'char', vocabSize: 1000, specials: { bert: true, eos: false, sentinels: 0 } });
  const gpt = await trainTokenizer(['abc'], { kind: 'char', vocabSize: 1000, specials: ['<|endoftext|>'] });
  expect(() => new PairTokenizer(bert, gpt)).toThrow(/the special \[PAD\] has id 0 in the source tokenizer and none in the target tokenizer/);
  const pair = new PairTokenizer(bert, bert);
  expect(pair.encode('ab[SEP]c')).toEqual([...bert.encode('ab'), bert.tokenToId('[SEP]')!, ...bert.encode('c')]);
});
