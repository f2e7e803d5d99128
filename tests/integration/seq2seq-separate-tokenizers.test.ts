// A seq2seq run with a tokenizer per side (sharedTokenizer false), end to end: it trains, keeps
// tokenizer.json (source) and target_tokenizer.json, writes Marian's vocabulary keys and untied
// tables, stops at a checkpoint and resumes on the uninterrupted curve (from the run's own shards
// and both tokenizers), and translates into the target vocabulary: the probes, the held-out scores,
// `npm run generate -- --source` and the cross-attention labels all decode targets with the target
// tokenizer.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../src/engine/gpu/device';
import { Seq2SeqDecoder } from '../../src/engine/generate/seq2seq-decoder';
import { translate } from '../../src/engine/generate/seq2seq-forward';
import { readSnapshot, listSnapshots } from '../../src/engine/inspect/snapshots';
import { parseSafetensors } from '../../src/engine/io/safetensors';
import { buildParamLayout } from '../../src/engine/model/params';
import { listCheckpoints } from '../../src/engine/runstore/checkpoints';
import { readMetrics } from '../../src/engine/runstore/metrics-log';
import { deserializeModel, loadRunTokenizers, readRunConfig, TrainingRun, type RunSummary } from '../../src/engine/train/index.ts';
import { removeTempRunsDirs, startCli, tempRunsDir, tinyOptions } from './helpers';

const STEPS = 24;
const words = ['cats', 'dogs', 'birds', 'fish'], zh = ['猫', '狗', '鸟', '鱼'];
const rows = Array.from({ length: 120 }, (_, i) => [`I have ${i % 10} ${words[i % 4]}.`, `我有${i % 10}只${zh[i % 4]}。`]);
const PROBE = 'I have 3 cats. => 我有3只猫。';
let ctx: GpuContext;
let tsv: string;
let straight: RunSummary;

const optionsFor = (runsDir: string, name: string, attentionSentences = [PROBE]) => tinyOptions(runsDir, {
  name, objective: 'seq2seq', corpus: [tsv], sharedTokenizer: false, split: 'document', valFraction: 0.2, dedup: false,
  blockSize: 24, batchSize: 8, steps: STEPS, evalEvery: 8, checkpointEvery: 10, evalIters: 2, evalTranslations: 4,
  sampleTokens: 12, attentionSentences,
});

beforeAll(async () => {
  ctx = await GpuContext.open();
  const dir = tempRunsDir('s2s-sep-data');
  tsv = join(dir, 'pairs.tsv');
  writeFileSync(tsv, ['en\tzh', ...rows.map(([e, z]) => `${e}\t${z}`)].join('\n') + '\n');
  // The uninterrupted run names no attention sentences: it probes its first held-out pairs.
  straight = await new TrainingRun(ctx, { kind: 'new', options: optionsFor(tempRunsDir('s2s-sep-straight'), 'straight', []) }).start();
});

afterAll(() => {
  ctx?.destroy();
  removeTempRunsDirs();
});

test('separate tokenizers: trains, checkpoints, resumes on the uninterrupted curve, and translates into the target vocabulary', async () => {
  const options = optionsFor(tempRunsDir('s2s-sep'), 'resumed');
  const first: TrainingRun = new TrainingRun(ctx, { kind: 'new', options }, {
    onEvent: (e) => { if (e.type === 'run.checkpoint' && e.step === 10) first.stop(); },
  });
  const part1 = await first.start();
  expect(part1.state).toBe('stopped');
  const runDir = part1.runDir;
  expect(listCheckpoints(runDir)).toEqual([10]);

  // The run folder: both tokenizers, Marian's keys, the untied tables in the checkpoint.
  const toks = await loadRunTokenizers(runDir);
  expect(toks.separate).toBe(true);
  expect(existsSync(join(runDir, 'target_tokenizer.json'))).toBe(true);
  for (const ch of ['猫', '我']) {
    expect(toks.source.tokenToId(ch), ch).toBeUndefined();
    expect(toks.target.tokenToId(ch), ch).toBeDefined();
  }
  for (const ch of ['I', 'c']) {
    expect(toks.source.tokenToId(ch), ch).toBeDefined();
    expect(toks.target.tokenToId(ch), ch).toBeUndefined();
  }
  const config = readRunConfig(runDir);
  const model = config.pretrain_studio.model;
  expect(model.vocabSize).toBe(toks.source.vocabSize);
  expect(model.targetVocabSize).toBe(toks.target.vocabSize);
  expect(config).toMatchObject({ vocab_size: toks.source.vocabSize, decoder_vocab_size: toks.target.vocabSize, share_encoder_decoder_embeddings: false });
  const ck = parseSafetensors(readFileSync(join(runDir, 'checkpoints', 'step-10', 'model.safetensors')), 'model.safetensors');
  expect(ck.tensors.get('model.encoder.embed_tokens.weight')!.shape).toEqual([toks.source.vocabSize, model.nEmbd]);
  expect(ck.tensors.get('model.decoder.embed_tokens.weight')!.shape).toEqual([toks.target.vocabSize, model.nEmbd]);
  expect(ck.tensors.has('model.shared.weight')).toBe(false);

  // Resume: the same losses as the run that was never stopped.
  const part2 = await new TrainingRun(ctx, { kind: 'resume', runDir }).start();
  expect(part2.state).toBe('finished');
  expect(part2.step).toBe(STEPS);
  const resumed = [...part1.losses, ...part2.losses];
  expect(resumed.map((x) => x.step)).toEqual(straight.losses.map((x) => x.step));
  const diff = Math.max(...resumed.map((x, i) => Math.abs(x.loss - straight.losses[i].loss)));
  console.log(`separate tokenizers: resumed vs uninterrupted, max |loss difference| ${diff.toExponential(2)}; loss ${resumed[0].loss.toFixed(3)} -> ${resumed.at(-1)!.loss.toFixed(3)}`);
  expect(diff).toBeLessThan(1e-6);
  expect(resumed.at(-1)!.loss).toBeLessThan(resumed[0].loss);

  // Evaluation: BLEU and chrF of held-out translations; probes written in target characters.
  const evals = readMetrics(join(runDir, 'metrics.jsonl')).filter((r) => r.split === 'val');
  for (const r of evals) expect(Number.isFinite(r.valChrf), `valChrf at ${r.step}`).toBe(true);
  const targetChars = new Set(Array.from({ length: toks.target.vocabSize }, (_, id) => toks.target.idToToken(id)!).filter((_, id) => !toks.target.isSpecial(id)));
  const probes = readFileSync(join(runDir, 'probes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { probes: { output: string }[] });
  for (const p of probes.at(-1)!.probes) for (const ch of p.output) expect(targetChars.has(ch), `probe output "${p.output}"`).toBe(true);

  // Translation from the checkpoint: source ids from the source tokenizer, output from the target's.
  const path = join(runDir, 'checkpoints', `step-${STEPS}`, 'model.safetensors');
  const dec = new Seq2SeqDecoder(ctx, model, deserializeModel(buildParamLayout(model), readFileSync(path), path).params);
  const out = await translate(dec, toks, 'I have 3 cats.', { framing: 'cls-sep', maxLength: 12, beams: 2, lengthPenalty: 1 });
  const greedy = await translate(dec, toks, 'I have 3 cats.', { framing: 'cls-sep', maxLength: 12, beams: 1, lengthPenalty: 1 });
  dec.destroy();
  expect(out.source).toEqual([toks.source.tokenToId('[CLS]'), ...toks.source.encode('I have 3 cats.'), toks.source.tokenToId('[SEP]')]);
  for (const h of out.hypotheses) for (const id of h.tokens) expect(id).toBeLessThan(toks.target.vocabSize);
  for (const ch of out.text) expect(targetChars.has(ch), `translation "${out.text}"`).toBe(true);
  console.log(`separate tokenizers, step ${STEPS}: "I have 3 cats." -> "${out.text}"`);

  // The CLI says the same (greedy), reading both tokenizers from the folder.
  const cli = startCli('generate', ['--run', runDir, '--source', 'I have 3 cats.', '--maxNewTokens', '12']);
  expect(await cli.exited).toBe(0);
  expect(greedy.text.length).toBeGreaterThan(0);
  expect(cli.output().split('\n')).toContain(greedy.text);

  // Attention snapshots: the cross-attention's target rows are labelled by the target tokenizer.
  const snap = readSnapshot(runDir, listSnapshots(runDir).at(-1)!);
  const s = snap.sentences[0];
  expect(s.tokens).toEqual(['[CLS]', ...[...'I have 3 cats.'], '[SEP]']);
  expect(s.target!.tokens).toEqual(['[CLS]', ...[...'我有3只猫。']]);
});

test('without attention sentences, a run with a tokenizer per side probes held-out pairs, each side in its own vocabulary', async () => {
  const runDir = straight.runDir;
  const toks = await loadRunTokenizers(runDir);
  const snap = readSnapshot(runDir, listSnapshots(runDir).at(-1)!);
  expect(snap.sentences.length).toBe(2);
  const unk = '[UNK]';
  for (const s of snap.sentences) {
    const [source, target] = s.text.split(' => ');
    expect(rows.some(([e, z]) => e === source && z === target), s.text).toBe(true);
    expect(s.tokens).toEqual(['[CLS]', ...[...source], '[SEP]']);
    expect(s.target!.tokens).toEqual(['[CLS]', ...[...target]]);
    expect(s.target!.tokens).not.toContain(unk);
    expect(s.target!.ids.every((id) => id < toks.target.vocabSize)).toBe(true);
  }
});
