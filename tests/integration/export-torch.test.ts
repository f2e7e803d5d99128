// Export to PyTorch distributed and back (issue #17): a tiny GPT trained 10 engine steps is
// exported, continued 20 steps by the generated train.py (one process, and torchrun with two gloo
// processes on the CPU), and imported back. Checks: engine and PyTorch logits on the exported
// checkpoint (≤ 1e-4), PyTorch's loss on the engine's next batch (≤ 1e-4), 2 processes = 1 process
// (parameters ≤ 1e-5), and the imported checkpoint resumes in the engine; then the same for tiny
// BERTs, 'mlm' (one span per row, MLM head only) and 'mlm+nsp' (sentence pairs, NSP head), both
// masking whole words: train.py's port of the collator must draw the engine's batches value for
// value (also with wholeWordMask off). Needs Debian's python3-torch at /usr/bin/python3; skips with
// a message where it is missing.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exportTorch, type ExportManifest } from '../../src/engine/export/torch-export';
import { batchRng, openShards, splitDataset } from '../../src/engine/data';
import { trainableObjective } from '../../src/engine/objectives/registry';
import { IGNORE_INDEX } from '../../src/engine/ops/crossentropy';
import { loadTokenizer } from '../../src/engine/tokenizers';
import { importTorchRun } from '../../src/engine/export/torch-import';
import { GpuContext } from '../../src/engine/gpu/device';
import { Recorder } from '../../src/engine/gpu/kernel';
import { Tensor } from '../../src/engine/gpu/tensor';
import { GptGraph } from '../../src/engine/model/gpt';
import { buildParamLayout } from '../../src/engine/model/params';
import { parseSafetensors } from '../../src/engine/io/safetensors';
import { listCheckpoints, readCheckpoint } from '../../src/engine/runstore/checkpoints';
import { readMetrics } from '../../src/engine/runstore/metrics-log';
import { readRunConfig, TrainingRun, deserializeModel, TOKENIZER_FILE, type RunSummary } from '../../src/engine/train';
import { removeTempRunsDirs, tempRunsDir, tinyOptions } from './helpers';

const PYTHON = '/usr/bin/python3';
const torchCheck = spawnSync(PYTHON, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
const hasTorch = torchCheck.status === 0;
if (!hasTorch) console.log(`export-torch tests skipped: ${PYTHON} cannot import torch and numpy (install Debian's python3-torch)`);

const EXPORTED = 10;
const TOTAL = 30;

function python(args: string[], cwd: string): { out: string; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync(PYTHON, args, { cwd, encoding: 'utf8', env: { ...process.env }, timeout: 120_000 });
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`${PYTHON} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${out}`);
  return { out, seconds: (performance.now() - t0) / 1000 };
}

/** python() without blocking: independent jobs (one process and torchrun) run side by side. */
function pythonAsync(args: string[], cwd: string): Promise<string> {
  const t0 = performance.now();
  return new Promise((resolveOut, reject) => {
    const child = spawn(PYTHON, args, { cwd, env: { ...process.env }, timeout: 120_000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolveOut(out);
      // torchrun turns the timeout's SIGTERM into exit code 1: the elapsed time tells them apart.
      else reject(new Error(`${PYTHON} ${args.join(' ')} failed (${code ?? signal}) after ${((performance.now() - t0) / 1000).toFixed(1)} s (limit 120 s):\n${out}`));
    });
  });
}

function tokensPerSecond(out: string): number {
  const m = /done at step \d+: \d+ tokens in [\d.]+ s of training, (\d+) tokens\/s/.exec(out);
  if (!m) throw new Error(`no tokens/s line in:\n${out}`);
  return Number(m[1]);
}

function flatOf(path: string): Map<string, Float32Array> {
  const file = parseSafetensors(readFileSync(path), path);
  return new Map([...file.tensors].map(([k, t]) => [k, Float32Array.from(t.data)]));
}

describe.skipIf(!hasTorch)('export to PyTorch distributed and back', () => {
  let ctx: GpuContext;
  let root: string;
  let runDir: string;
  let engine: RunSummary;
  let engineOn: RunSummary;
  let single: string;
  let double: string;
  const speed: Record<string, number> = {};

  beforeAll(async () => {
    ctx = await GpuContext.open();
    root = tempRunsDir('export-torch');
    // Two micro-batches per step: accumulation (and DDP's no_sync on the first) is part of what must match.
    const options = tinyOptions(root, { name: 'src', steps: EXPORTED, gradAccum: 2, evalEvery: EXPORTED, checkpointEvery: EXPORTED, logEvery: 1 });
    engine = await new TrainingRun(ctx, { kind: 'new', options }).start();
    runDir = engine.runDir;
    speed.engine = engine.tokensPerSecond;
    const exported = join(root, 'export');
    await exportTorch(runDir, exported);
    single = join(root, 'single');
    double = join(root, 'double');
    cpSync(exported, single, { recursive: true });
    cpSync(exported, double, { recursive: true });
    // The engine's own continuation, in a copy of the run: the reference for PyTorch's next batch.
    const copy = join(root, 'engine-copy');
    cpSync(runDir, copy, { recursive: true });
    engineOn = await new TrainingRun(ctx, { kind: 'resume', runDir: copy, steps: TOTAL }).start();
    speed.single = tokensPerSecond(python(['train.py', '--steps', String(TOTAL)], single).out);
    // Debian's torch 1.13 on Python 3.11 cannot parse torchrun's default --redirects (see README);
    // --standalone rendezvous on a free port, as other jobs on this machine may hold 29500.
    speed.double = tokensPerSecond(python(['-m', 'torch.distributed.run', '--standalone', '--redirects', '0:1', '--tee', '0:1', '--log_dir', join(root, 'torchrun-logs'), '--nproc_per_node', '2', 'train.py', '--steps', String(TOTAL)], double).out);
    console.log(`tokens/s on the tiny model: engine ${Math.round(speed.engine)}, train.py 1 process ${speed.single}, torchrun 2 processes ${speed.double}`);
  }, 240_000);

  afterAll(() => {
    ctx?.destroy();
    removeTempRunsDirs();
  });

  test('engine and PyTorch logits on the exported checkpoint agree within 1e-4', async () => {
    const config = readRunConfig(runDir).pretrain_studio;
    const layout = buildParamLayout(config.model);
    const B = 4;
    const T = config.model.blockSize;
    const bytes = readFileSync(join(single, 'data', 'tokens-00000.bin'));
    const ids = Uint32Array.from(new Uint16Array(bytes.buffer, bytes.byteOffset, B * T + 1));
    const idx = ids.subarray(0, B * T);
    const params = Tensor.from(ctx, deserializeModel(layout, readFileSync(join(single, 'model.safetensors'))).params, [layout.totalFloats]);
    const grads = Tensor.empty(ctx, [layout.totalFloats]);
    const graph = new GptGraph(ctx, layout, params, grads, { batchSize: B, seqLen: T });
    graph.idx.write(idx);
    graph.targets.write(ids.subarray(1, B * T + 1));
    const rec = new Recorder(ctx);
    graph.forward(rec);
    await rec.run();
    const ours = await graph.logits.read();
    rec.destroy();
    graph.destroy();
    params.destroy();
    grads.destroy();

    const idxPath = join(root, 'idx.bin');
    const logitsPath = join(root, 'torch-logits.bin');
    writeFileSync(idxPath, idx);
    python(['-c', [
      'import json, sys, numpy as np, torch',
      `sys.path.insert(0, ${JSON.stringify(single)})`,
      'import train',
      `m = json.load(open(${JSON.stringify(join(single, 'config.json'))}))['pretrain_studio']['model']`,
      "model, _ = train.build_model(m, 'compact')",
      `train.load_weights(model, m, ${JSON.stringify(join(single, 'model.safetensors'))})`,
      `idx = torch.from_numpy(np.fromfile(${JSON.stringify(idxPath)}, dtype='<u4').astype(np.int64)).view(${B}, ${T})`,
      'with torch.no_grad():',
      `    model(idx).numpy().astype('<f4').tofile(${JSON.stringify(logitsPath)})`,
    ].join('\n')], root);
    const theirs = new Float32Array(readFileSync(logitsPath).buffer.slice(0));
    expect(theirs.length).toBe(ours.length);
    let maxDiff = 0;
    let maxAbs = 0;
    for (let i = 0; i < ours.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs[i]));
      maxAbs = Math.max(maxAbs, Math.abs(theirs[i]));
    }
    console.log(`logits [${B}, ${T}, ${config.model.vocabSize}]: max |engine - torch| ${maxDiff.toExponential(2)} (max |logit| ${maxAbs.toFixed(3)})`);
    expect(maxDiff).toBeLessThanOrEqual(1e-4 * Math.max(1, maxAbs));
  });

  test("PyTorch's loss on the engine's next batch equals the engine's within 1e-4", () => {
    const torchTrain = readMetrics(join(single, 'metrics.jsonl')).filter((r) => r.split === 'train');
    expect(torchTrain.map((r) => r.step)).toEqual(Array.from({ length: TOTAL - EXPORTED }, (_, i) => EXPORTED + 1 + i));
    const engineLoss = new Map(engineOn.losses.map((l) => [l.step, l.loss]));
    const next = torchTrain[0];
    const diff = Math.abs(Number(next.loss) - engineLoss.get(EXPORTED + 1)!);
    const curve = Math.max(...torchTrain.map((r) => Math.abs(Number(r.loss) - engineLoss.get(r.step)!)));
    console.log(`step ${EXPORTED + 1}: torch ${Number(next.loss).toFixed(6)}, engine ${engineLoss.get(EXPORTED + 1)!.toFixed(6)}, |diff| ${diff.toExponential(2)}; ` +
      `over steps ${EXPORTED + 1}-${TOTAL} max |diff| ${curve.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(1e-4);
    // The learning rate is the engine's schedule at every step.
    const engineLr = readMetrics(join(root, 'engine-copy', 'metrics.jsonl')).filter((r) => r.split === 'train' && r.step > EXPORTED);
    for (const r of engineLr) expect(Number(torchTrain.find((t) => t.step === r.step)!.lr)).toBeCloseTo(Number(r.lr), 9);
  });

  test('two processes give the same parameters as one process (1e-5)', () => {
    expect(listCheckpoints(single)).toContain(TOTAL);
    expect(listCheckpoints(double)).toContain(TOTAL);
    const a = flatOf(join(single, 'checkpoints', `step-${TOTAL}`, 'model.safetensors'));
    const b = flatOf(join(double, 'checkpoints', `step-${TOTAL}`, 'model.safetensors'));
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    let maxDiff = 0;
    for (const [name, x] of a) {
      const y = b.get(name)!;
      for (let i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
    }
    // Moved from the exported weights at all (a no-op trainer would pass the comparison above).
    const start = flatOf(join(single, 'model.safetensors'));
    const moved = Math.max(...[...a].map(([n, x]) => Math.max(...x.map((v, i) => Math.abs(v - start.get(n)![i])))));
    console.log(`after ${TOTAL - EXPORTED} steps: max |1 process - 2 processes| = ${maxDiff.toExponential(2)} (parameters moved up to ${moved.toExponential(2)})`);
    expect(moved).toBeGreaterThan(1e-3);
    expect(maxDiff).toBeLessThanOrEqual(1e-5);
  });

  test('import-run brings checkpoints and metrics back, and the engine trains on from them', async () => {
    const result = importTorchRun(double, { into: runDir });
    expect(result.checkpoints).toContain(TOTAL);
    expect(listCheckpoints(runDir)).toContain(TOTAL);
    const metrics = readMetrics(join(runDir, 'metrics.jsonl')).filter((r) => r.split === 'train');
    expect(metrics.map((r) => r.step)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    // The imported checkpoint is the cluster's, byte for byte in its tensors.
    const imported = readCheckpoint(runDir, TOTAL);
    expect(Buffer.compare(Buffer.from(imported.model), readFileSync(join(double, 'checkpoints', `step-${TOTAL}`, 'model.safetensors')))).toBe(0);
    expect(imported.state.optimizerStep).toBe(TOTAL);
    // Importing the same folder again changes nothing (each metric step still once).
    importTorchRun(double, { into: runDir });
    expect(readMetrics(join(runDir, 'metrics.jsonl')).filter((r) => r.split === 'train').length).toBe(TOTAL);

    const on = await new TrainingRun(ctx, { kind: 'resume', runDir, steps: TOTAL + 4 }).start();
    expect(on.state).toBe('finished');
    expect(on.step).toBe(TOTAL + 4);
    expect(on.losses.map((l) => l.step)).toEqual([TOTAL + 1, TOTAL + 2, TOTAL + 3, TOTAL + 4]);
    const lastTorch = Number(metrics[metrics.length - 1].loss);
    console.log(`engine after import: losses ${on.losses.map((l) => l.loss.toFixed(4)).join(', ')} (torch's last ${lastTorch.toFixed(4)})`);
    // Continuing from the trained state, not from scratch: near torch's last loss, far below ln(vocab).
    for (const l of on.losses) expect(Math.abs(l.loss - lastTorch)).toBeLessThan(0.3);
    // Now the run has its own history past the cluster's: a plain re-import must not overwrite it.
    expect(() => importTorchRun(double, { into: runDir })).toThrow(/trained on locally/);
  });

  test('clear errors: missing run, missing checkpoint, unsupported objective, nothing to import', async () => {
    await expect(exportTorch(join(root, 'nope'), join(root, 'x1'))).rejects.toThrow(/no run folder/);
    await expect(exportTorch(runDir, join(root, 'x2'), { step: 7 })).rejects.toThrow(/no checkpoint step-7/);
    await expect(exportTorch(runDir, single)).rejects.toThrow(/already exists/);
    const denoise = join(root, 'denoise-run');
    cpSync(runDir, denoise, { recursive: true });
    const cfg = JSON.parse(readFileSync(join(denoise, 'config.json'), 'utf8'));
    cfg.pretrain_studio.objective = 'denoise';
    writeFileSync(join(denoise, 'config.json'), JSON.stringify(cfg));
    await expect(exportTorch(denoise, join(root, 'x3'))).rejects.toThrow(/objective 'denoise' is not supported yet/);
    expect(existsSync(join(root, 'x3'))).toBe(false);
    const fresh = join(root, 'fresh-export');
    await exportTorch(runDir, fresh);
    expect(() => importTorchRun(fresh, { into: runDir })).toThrow(/no checkpoint past the exported step/);
  });
});


/**
 * A tiny BERT run of `objective` on the sample corpus (paragraphs as documents, several sentences
 * each; a document split, so pairs and word starts cross range boundaries the way real runs do),
 * exported at step FROM and continued to TO by the engine, train.py and torchrun (2 processes).
 */
function bertCase(shared: { ctx?: GpuContext; runsDir: string }, objective: 'mlm' | 'mlm+nsp', terms: string[]): void {
  const FROM = 6;
  const TO = 12;
  describe(`'${objective}'`, () => {
    let ctx: GpuContext;
    let root: string;
    let runDir: string;
    let exported: string;
    let engineOn: RunSummary;
    let single: string;
    let double: string;

    beforeAll(async () => {
      ctx = shared.ctx!;
      const label = objective.replace('+', '-');
      root = join(shared.runsDir, `export-${label}`);
      // One runs folder for both objectives: the second run finds the corpus, tokenizer and shards cached.
      const options = tinyOptions(shared.runsDir, {
        name: `bert-${label}`, objective, tokenizer: 'wordpiece', vocabSize: 300, split: 'document',
        steps: FROM, warmupSteps: 2, evalEvery: FROM, checkpointEvery: FROM, logEvery: 1,
      });
      runDir = (await new TrainingRun(ctx, { kind: 'new', options }).start()).runDir;
      exported = join(root, 'export');
      await exportTorch(runDir, exported);
      single = join(root, 'single');
      double = join(root, 'double');
      cpSync(exported, single, { recursive: true });
      cpSync(exported, double, { recursive: true });
      const copy = join(root, 'engine-copy');
      cpSync(runDir, copy, { recursive: true });
      engineOn = await new TrainingRun(ctx, { kind: 'resume', runDir: copy, steps: TO }).start();
      // Side by side (no speed is measured here): most of their time is Python importing torch.
      await Promise.all([
        pythonAsync(['train.py', '--steps', String(TO)], single),
        pythonAsync(['-m', 'torch.distributed.run', '--standalone', '--redirects', '0:1', '--tee', '0:1', '--log_dir', join(root, 'torchrun-logs'), '--nproc_per_node', '2', 'train.py', '--steps', String(TO)], double),
      ]);
    }, 240_000);

    test('the export carries the heads of the objective and the sentence/word index', () => {
      const manifest = JSON.parse(readFileSync(join(exported, 'export.json'), 'utf8')) as ExportManifest;
      expect(manifest.mlm!.normalIds.length).toBeGreaterThan(100);
      expect(manifest.mlm!.pairs).toBe(objective === 'mlm+nsp');
      expect(manifest.mlm!.wholeWordMask).toBe(true);
      const names = manifest.parameters.map((p) => p.name);
      expect(names.includes('cls.seq_relationship.weight')).toBe(objective === 'mlm+nsp');
      expect(names.includes('bert.pooler.dense.weight')).toBe(objective === 'mlm+nsp');
      const index = JSON.parse(readFileSync(join(exported, 'data', 'index.json'), 'utf8'));
      expect(index.textUnits.wordStart.length).toBe(index.numTokens);
      expect(index.textUnits.docSentences.length).toBe(index.numDocuments + 1);
      expect(index.textUnits.sentStart.length).toBeGreaterThan(2 * index.numDocuments); // several sentences per document
    });

    test('train.py draws the engine\'s batches exactly (whole words, and token by token)', async () => {
      // wholeWordMask false: the same checkpoint re-exported with the option off (no index needed for 'mlm').
      const tokenLevel = join(root, 'token-level-run');
      cpSync(runDir, tokenLevel, { recursive: true });
      const cfg = JSON.parse(readFileSync(join(tokenLevel, 'config.json'), 'utf8'));
      cfg.pretrain_studio.options.wholeWordMask = false;
      writeFileSync(join(tokenLevel, 'config.json'), JSON.stringify(cfg));
      const tokenExport = join(root, 'token-level-export');
      await exportTorch(tokenLevel, tokenExport);
      expect(JSON.parse(readFileSync(join(tokenExport, 'data', 'index.json'), 'utf8')).textUnits === null).toBe(objective === 'mlm');

      const o = readRunConfig(runDir).pretrain_studio.options;
      const shards = JSON.parse(readFileSync(join(runDir, 'data', 'shards.json'), 'utf8')) as { dir: string };
      const ds = await openShards(shards.dir);
      const splits = splitDataset(ds, { kind: 'documents', valFraction: o.valFraction, seed: o.seed });
      const tok = await loadTokenizer(join(runDir, TOKENIZER_FILE));
      const DRAWS = 6;
      const folders = [[exported, true], [tokenExport, false]] as const;
      const ours = folders.map(([, wholeWordMask]) => {
        const collator = trainableObjective(objective).collator(tok, { ...o, wholeWordMask });
        const values: number[] = [];
        for (const name of ['train', 'val'] as const) {
          for (let i = 0; i < DRAWS; i++) {
            const b = collator.batch(ds, splits[name], o.batchSize, o.blockSize, batchRng(o.seed, i, name));
            for (const a of [b.input_ids, b.token_type_ids, b.kvLen, b.mlm_labels, b.nsp_labels]) for (const v of a) values.push(v === IGNORE_INDEX ? -100 : v);
          }
        }
        return values;
      });
      // One Python process draws the same batches from both exported folders.
      const paths = folders.map((_, f) => join(root, `torch-batches-${f}.bin`));
      python(['-c', [
        'import importlib.util, json, numpy as np',
        `for folder, path in zip(${JSON.stringify(folders.map(([f]) => f))}, ${JSON.stringify(paths)}):`,
        "    spec = importlib.util.spec_from_file_location('train', folder + '/train.py')",
        '    train = importlib.util.module_from_spec(spec)',
        '    spec.loader.exec_module(train)',
        '    tr, va, units = train.load_data(folder)',
        "    sp = json.load(open(folder + '/export.json'))['mlm']",
        '    out = []',
        "    for name, split in (('train', tr), ('val', va)):",
        `        for i in range(${DRAWS}):`,
        `            out += [np.asarray(a).ravel() for a in train.mlm_batch(split, ${o.batchSize}, ${o.blockSize}, train.batch_rng(${o.seed}, i, name), sp, units)]`,
        "    np.concatenate(out).astype('<i8').tofile(path)",
      ].join('\n')], root);
      folders.forEach(([, wholeWordMask], f) => {
        const theirs = Array.from(new BigInt64Array(readFileSync(paths[f]).buffer.slice(0)), Number);
        let differ = 0;
        for (let i = 0; i < ours[f].length; i++) if (ours[f][i] !== theirs[i]) differ++;
        console.log(`BERT '${objective}' wholeWordMask ${wholeWordMask}: ${DRAWS} train + ${DRAWS} val batches, ${ours[f].length} values, ${differ} differ`);
        expect(theirs.length).toBe(ours[f].length);
        expect(differ).toBe(0);
      });
      // Whole words change the draws (multi-piece words are masked together), so both ports were exercised.
      expect(ours[0].filter((v, i) => v !== ours[1][i]).length).toBeGreaterThan(100);
    });

    test(`PyTorch's loss on the engine's next batch within 1e-4 (${terms.join(', ')}), 2 processes = 1`, () => {
      const torchTrain = readMetrics(join(single, 'metrics.jsonl')).filter((r) => r.split === 'train');
      const engineRecords = new Map(readMetrics(join(root, 'engine-copy', 'metrics.jsonl')).filter((r) => r.split === 'train').map((r) => [r.step, r]));
      const next = torchTrain[0];
      const ref = engineRecords.get(FROM + 1)!;
      expect(next.step).toBe(FROM + 1);
      const keys = terms.length > 1 ? ['loss', ...terms.map((t) => `${t}Loss`)] : ['loss'];
      for (const k of keys) expect(Number.isFinite(Number(ref[k]))).toBe(true);
      const diffs = keys.map((k) => Math.abs(Number(next[k]) - Number(ref[k])));
      const curve = Math.max(...torchTrain.map((r) => Math.abs(Number(r.loss) - engineOn.losses.find((l) => l.step === r.step)!.loss)));
      console.log(`BERT '${objective}' step ${FROM + 1}: torch ${Number(next.loss).toFixed(6)}, engine ${Number(ref.loss).toFixed(6)}; ` +
        `|diff| ${keys.join('/')} ${diffs.map((d) => d.toExponential(2)).join('/')}; steps ${FROM + 1}-${TO} max ${curve.toExponential(2)}`);
      for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-4);
      expect(curve).toBeLessThanOrEqual(1e-3);

      const a = flatOf(join(single, 'checkpoints', `step-${TO}`, 'model.safetensors'));
      const b = flatOf(join(double, 'checkpoints', `step-${TO}`, 'model.safetensors'));
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      let maxDiff = 0;
      for (const [name, x] of a) for (let i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i] - b.get(name)![i]));
      console.log(`BERT '${objective}' after ${TO - FROM} steps: max |1 process - 2 processes| = ${maxDiff.toExponential(2)}`);
      expect(maxDiff).toBeLessThanOrEqual(1e-5);
    });

    test('the imported BERT checkpoint trains on in the engine', async () => {
      importTorchRun(double, { into: runDir });
      const on = await new TrainingRun(ctx, { kind: 'resume', runDir, steps: TO + 2 }).start();
      expect(on.state).toBe('finished');
      expect(on.losses.map((l) => l.step)).toEqual([TO + 1, TO + 2]);
      for (const l of on.losses) expect(Number.isFinite(l.loss)).toBe(true);
    });
  });
}

describe.skipIf(!hasTorch)('export BERT runs to PyTorch and back', () => {
  const shared: { ctx?: GpuContext; runsDir: string } = { runsDir: '' };
  beforeAll(async () => {
    shared.ctx = await GpuContext.open();
    shared.runsDir = tempRunsDir('export-torch-bert');
  });
  afterAll(() => {
    shared.ctx?.destroy();
    removeTempRunsDirs();
  });
  bertCase(shared, 'mlm', ['mlm']);
  bertCase(shared, 'mlm+nsp', ['mlm', 'nsp']);
});
