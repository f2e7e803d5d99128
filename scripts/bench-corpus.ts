// Corpus throughput and peak memory, one phase per process (peak RSS is the process's own):
//   node --import tsx scripts/bench-corpus.ts make <MB> <file>          a corpus of varied lines
//   node --import tsx scripts/bench-corpus.ts import <file> <dir> [thread|worker] [dedupMB]   import into <dir> (in this thread, or on a worker thread; dedupMemoryMB, default 64)
//   node --import tsx scripts/bench-corpus.ts shards <dir> char|bpe|wordpiece [sampleMB]   train (on the run's sample) + encode
//   node --import tsx scripts/bench-corpus.ts encode <dir> char|bpe|wordpiece <workers>   shard building alone (0 = in this thread), with the tokenizer `shards` saved
//   node --import tsx scripts/bench-corpus.ts train <dir> char|bpe|wordpiece <workers> [sampleMB]   tokenizer training alone: counting on N worker threads (0 = in this thread), then merges
//   node --import tsx scripts/bench-corpus.ts sample <shardDir>                 open shards by range, split, draw 1000 batches (64 × 256)
//   node --import tsx --import ./scripts/register-wgsl.mjs scripts/bench-corpus.ts units <dir> char|bpe|wordpiece [nopairs]   BERT's sentence and word index (textUnits) computed or opened, then 1000 MLM+NSP (nopairs: MLM) whole-word batches (32 × 128)
//   node --import tsx scripts/bench-corpus.ts rate <shardDir> [seconds]         batches per second: sampleBatch and sampleDocumentBatch (64 × 256)
//   node --import tsx scripts/bench-corpus.ts hf <dir> char|bpe|wordpiece       HF `tokenizers` encoding the same documents
// `make` cycles the paragraphs of ../shared/datasets/tinyshakespeare.txt and hongloumeng.txt,
// each copy numbered so deduplication keeps it. Each phase prints one JSON line: seconds, MB/s,
// CPU seconds, peak RSS (process.resourceUsage().maxRSS).
import { createWriteStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { join } from 'node:path';
import { Tokenizer as NativeTokenizer } from 'tokenizers';
import { batchRng, buildShards, importCorpus, type ImportProgress, loadManifest, openShards, readDocuments, sampleBatch, sampleDocumentBatch, splitDataset, textUnits } from '../src/engine/data';
import { mlmBatch, mlmSpecials } from '../src/engine/objectives/mlm-collator';
import { loadTokenizer, saveTokenizer, trainTokenizer, type TokenizerKind } from '../src/engine/tokenizers';
import { everyNth, tokenizerSampleEvery } from '../src/engine/data/tokenizer-sample';
import { trainCorpusTokenizer } from '../src/engine/data/tokenizer-workers';
import { importCorpusOffThread } from '../src/engine/data/import-workers';
import { COUNT_SHARE } from '../src/engine/tokenizers/train';

const [phase, a, b, c] = process.argv.slice(2);
const SHARED = join(import.meta.dirname, '..', '..', 'shared', 'datasets');
const t0 = performance.now();
const cpu0 = process.cpuUsage();
function report(bytes: number, extra: Record<string, unknown>): void {
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({
    phase, ...extra, mb: +(bytes / 1e6).toFixed(1), seconds: +seconds.toFixed(1), mbPerSecond: +(bytes / 1e6 / seconds).toFixed(2),
    cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }));
}

async function* texts(dir: string): AsyncGenerator<string> {
  for await (const d of readDocuments(dir)) yield d.text;
}

if (phase === 'make') {
  const target = Number(a) * 1e6;
  const paragraphs = ['tinyshakespeare.txt', 'hongloumeng.txt'].flatMap((f) => readFileSync(join(SHARED, f), 'utf8').split(/\n\s*\n/).filter((p) => p.trim()));
  const out = createWriteStream(b);
  let written = 0;
  for (let i = 0; written < target; i++) {
    const chunk = `(${i}) ${paragraphs[i % paragraphs.length]}\n\n`;
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  report(statSync(b).size, { file: b });
} else if (phase === 'import') {
  // How busy this (the host's) event loop is meanwhile: what a host answering commands would feel.
  const elu = performance.eventLoopUtilization();
  const dedupMemoryMB = process.argv[6] === undefined ? undefined : Number(process.argv[6]);
  let deferred = 0;
  const opts = { inputs: [a], outDir: b, dedupMemoryMB, onProgress: (p: ImportProgress) => { if (p.dedup) deferred = p.dedup.total / 2; } };
  const r = c === 'worker' ? await importCorpusOffThread(opts, { worker: true }) : await importCorpus(opts);
  const busy = +performance.eventLoopUtilization(elu).utilization.toFixed(2);
  report(statSync(a).size, {
    on: c === 'worker' ? 'worker' : 'thread', documents: r.manifest?.stats.documents, duplicates: r.manifest?.stats.duplicatesDropped, issues: r.issues.length, eventLoopBusy: busy,
    dedupMemoryMB: dedupMemoryMB ?? 64, deferred,
  });
} else if (phase === 'shards') {
  const kind = b as TokenizerKind;
  const manifest = await loadManifest(a);
  const every = tokenizerSampleEvery({ tokenizer: kind, tokenizerSampleMB: Number(c ?? 64) }, manifest.stats.bytes);
  const tok = await trainTokenizer(everyNth(texts(a), every), { kind, vocabSize: kind === 'char' ? 1_000_000 : 16_000 });
  const trained = (performance.now() - t0) / 1000;
  // Peak so far is training's: what encoding adds shows in the final peak.
  const trainPeakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  saveTokenizer(tok, join(a, `${kind}.tokenizer.json`));
  const shards = await buildShards({ corpusDir: a, tokenizer: tok, cacheDir: join(a, `shards-${kind}`) });
  report(manifest.stats.bytes, { tokenizer: kind, trainedOn: `1 document in ${every}`, vocab: tok.vocabSize, trainSeconds: +trained.toFixed(1), trainPeakRssMB, tokens: shards.meta.numTokens });
} else if (phase === 'encode') {
  // Shard building alone, with the tokenizer `shards` saved: in this thread (0) or on N worker
  // threads; how busy the host's event loop was (eventLoopUtilization) says what a host would feel.
  const kind = b as TokenizerKind;
  const workers = Number(c ?? 0);
  const manifest = await loadManifest(a);
  const tok = await loadTokenizer(join(a, `${kind}.tokenizer.json`));
  const cacheDir = await mkdtemp(join(tmpdir(), 'bench-encode-'));
  const t1 = performance.now();
  const cpu1 = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  try {
    const shards = await buildShards({ corpusDir: a, tokenizer: tok, cacheDir, workers });
    const seconds = (performance.now() - t1) / 1000;
    const cpu = process.cpuUsage(cpu1);
    console.log(JSON.stringify({
      phase, tokenizer: kind, workers, mb: +(manifest.stats.bytes / 1e6).toFixed(1), encodeSeconds: +seconds.toFixed(1), mbPerSecond: +(manifest.stats.bytes / 1e6 / seconds).toFixed(2),
      cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1), eventLoopBusy: +performance.eventLoopUtilization(elu).utilization.toFixed(2),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), tokens: shards.meta.numTokens, key: shards.meta.key.slice(0, 16),
    }));
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
} else if (phase === 'train') {
  // Tokenizer training alone, its counting pass on `workers` threads (0: this thread), on the
  // run's sample: the counting pass ends when the fraction reaches the kind's counting share.
  const kind = b as TokenizerKind;
  const workers = Number(c ?? 0);
  const manifest = await loadManifest(a);
  const every = tokenizerSampleEvery({ tokenizer: kind, tokenizerSampleMB: Number(process.argv[6] ?? 64) }, manifest.stats.bytes);
  const elu = performance.eventLoopUtilization();
  let countSeconds = 0;
  const tok = await trainCorpusTokenizer({ corpusDirs: [a], every }, { kind, vocabSize: kind === 'char' ? 1_000_000 : 16_000 }, {
    workers, expectedChars: manifest.stats.characters / every,
    onProgress: (f) => { if (!countSeconds && f >= COUNT_SHARE[kind] - 1e-9) countSeconds = (performance.now() - t0) / 1000; },
  });
  const busy = +performance.eventLoopUtilization(elu).utilization.toFixed(2);
  report(manifest.stats.bytes, { tokenizer: kind, workers, trainedOn: `1 document in ${every}`, vocab: tok.vocabSize, countSeconds: +countSeconds.toFixed(1), eventLoopBusy: busy, hash: tok.hash.slice(0, 16) });
} else if (phase === 'sample') {
  // Training's data path on built shards: open them by range, split, draw 1000 batches of 64 × 256.
  const ds = await openShards(a);
  const { train, val } = splitDataset(ds, { kind: 'documents', valFraction: 0.1, seed: 1 });
  let sum = 0;
  for (let step = 0; step < 1000; step++) sum += sampleBatch(ds, step % 10 ? train : val, 64, 256, batchRng(1, step, step % 10 ? 'train' : 'val')).x[0];
  report(ds.meta.numTokens * (ds.meta.dtype === 'uint16' ? 2 : 4), { tokens: ds.meta.numTokens, documents: ds.meta.numDocuments, checksum: sum });
} else if (phase === 'rate') {
  // Training's per-step sampling cost on a split that is already open (the split file, where
  // there is one, computed by an earlier call): warm-up, then as many batches as fit in the time.
  const ds = await openShards(a);
  const t1 = performance.now();
  const { train } = splitDataset(ds, { kind: 'documents', valFraction: 0.1, seed: 1 });
  const splitSeconds = (performance.now() - t1) / 1000;
  const seconds = Number(b ?? 5);
  // Per CPU-second too: on a shared machine the wall clock also counts other processes' turns.
  const rate = (draw: (step: number) => number) => {
    let sum = 0;
    for (let step = 0; step < 50; step++) sum += draw(step);
    const start = performance.now();
    const cpu = process.cpuUsage();
    let n = 0;
    while (performance.now() - start < seconds * 1000) sum += draw(1000 + n++);
    const used = process.cpuUsage(cpu);
    return { perSecond: +(n / ((performance.now() - start) / 1000)).toFixed(1), perCpuSecond: +(n / ((used.user + used.system) / 1e6)).toFixed(1), sum };
  };
  const clm = rate((step) => sampleBatch(ds, train, 64, 256, batchRng(1, step, 'train')).x[0]);
  const docs = rate((step) => sampleDocumentBatch(ds, train, 64, 256, batchRng(1, step, 'train'), 0).x[0]);
  report(ds.meta.numTokens * (ds.meta.dtype === 'uint16' ? 2 : 4), {
    documents: ds.meta.numDocuments, splitSeconds: +splitSeconds.toFixed(2), sampleBatchPerSecond: clm.perSecond, sampleBatchPerCpuSecond: clm.perCpuSecond,
    sampleDocumentBatchPerSecond: docs.perSecond, sampleDocumentBatchPerCpuSecond: docs.perCpuSecond, checksum: clm.sum + docs.sum,
  });
} else if (phase === 'units') {
  // What a BERT run holds for its sentence pairs and whole-word masks: the units of the shards
  // `shards` built (kept as files beside them where units-file.ts exists, so a second call opens
  // them), then 1000 MLM+NSP batches with whole-word masking.
  const kind = b as TokenizerKind;
  const tok = await loadTokenizer(join(a, `${kind}.tokenizer.json`));
  const root = join(a, `shards-${kind}`);
  const ds = await openShards(join(root, readdirSync(root).find((f) => f.startsWith('tokens-'))!));
  const units = textUnits(ds, tok);
  const unitsSeconds = (performance.now() - t0) / 1000;
  const unitsPeakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  const { train, val } = splitDataset(ds, { kind: 'documents', valFraction: 0.1, seed: 1 });
  const sp = mlmSpecials(tok);
  const t1 = performance.now();
  let sum = 0;
  for (let step = 0; step < 1000; step++) {
    const name = step % 10 ? 'train' : 'val';
    sum += mlmBatch(ds, name === 'train' ? train : val, 32, 128, batchRng(1, step, name), sp, { pairs: c !== 'nopairs', wholeWord: true, units }).input_ids[5];
  }
  report(ds.meta.numTokens * (ds.meta.dtype === 'uint16' ? 2 : 4), {
    pairs: c !== 'nopairs', tokens: ds.meta.numTokens, documents: ds.meta.numDocuments, sentences: units.sentStart.length, unitsSeconds: +unitsSeconds.toFixed(1), unitsPeakRssMB,
    batchSeconds: +((performance.now() - t1) / 1000).toFixed(1), checksum: sum,
  });
} else if (phase === 'hf') {
  const manifest = await loadManifest(a);
  const native = NativeTokenizer.fromFile(join(a, `${b}.tokenizer.json`));
  let tokens = 0;
  let batch: string[] = [];
  const flush = async () => {
    for (const e of await native.encodeBatch(batch, { addSpecialTokens: false })) tokens += e.getIds().length;
    batch = [];
  };
  for await (const t of texts(a)) {
    batch.push(t);
    if (batch.length === 256) await flush();
  }
  await flush();
  report(manifest.stats.bytes, { tokenizer: `hf-${b}`, tokens });
} else {
  console.error('usage: see the header of scripts/bench-corpus.ts');
  process.exit(2);
}
