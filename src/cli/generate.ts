// `npm run generate -- --run runs/<name> --prompt "…" [--maxNewTokens --temperature --topK --topP
//  --repetitionPenalty --stop … --seed --checkpoint]`: streams a trained GPT's text to stdout
// (the adapter line and a summary go to stderr, so stdout is the text alone). An encoder-decoder
// run (bart, t5-span, seq2seq) takes `--source "…" [--beams N --lengthPenalty a --maxNewTokens n]`
// and writes its reconstruction or translation.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Seq2SeqDecoder } from '../engine/generate/seq2seq-decoder.ts';
import { Seq2SeqForward, translate } from '../engine/generate/seq2seq-forward.ts';
import { buildParamLayout } from '../engine/model/params.ts';
import { parseArgs } from '../engine/config/args.ts';
import { generate, loadDecoder } from '../engine/generate/index.ts';
import { latestCheckpoint, listCheckpoints } from '../engine/runstore/checkpoints.ts';
import { EOS } from '../engine/tokenizers/index.ts';
import { deserializeModel, loadRunTokenizers, readRunConfig } from '../engine/train/index.ts';
import { openGpu, runWithDriver } from './driver.ts';
import { generateHelp } from './help.ts';

const DEFAULTS = {
  run: '', prompt: '', maxNewTokens: 200, temperature: 0.8, topK: 200, topP: 1, repetitionPenalty: 1,
  stop: [] as string[], seed: -1, checkpoint: 0, echoPrompt: true, driver: 'auto', help: false,
  source: '', beams: 1, lengthPenalty: 1, kvCache: true, candidates: 0,
};

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let o: typeof DEFAULTS;
  try {
    const parsed = parseArgs(process.argv.slice(2), DEFAULTS, ['help']);
    if (parsed.positional.length) throw new Error(`unexpected argument '${parsed.positional[0]}' (options start with --; see --help)`);
    o = parsed.values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (o.help) {
    process.stdout.write(generateHelp());
    process.exit(0);
  }
  if (!o.run) fail('no run folder: pass --run runs/<name> (see --help)');
  const runDir = resolve(o.run);
  let config;
  try {
    config = readRunConfig(runDir);
  } catch (err) {
    fail((err as Error).message, 1);
  }
  const model = config.pretrain_studio.model;
  if (model.kind === 'encoder') fail(`${runDir} holds an encoder (BERT); generation needs a GPT or an encoder-decoder (fill-mask reads BERT runs)`, 1);
  if (model.kind === 'encoder-decoder' && !o.source) fail(`${runDir} holds an encoder-decoder: pass --source "text" to reconstruct or translate`);
  if (model.kind === 'decoder' && o.source) fail(`${runDir} holds a GPT: --source is for encoder-decoder runs; use --prompt`);
  const step = o.checkpoint > 0 ? o.checkpoint : latestCheckpoint(runDir);
  if (step === undefined) fail(`${runDir} has no checkpoint yet`, 1);
  if (!listCheckpoints(runDir).includes(step)) fail(`${runDir} has no checkpoint step-${step} (it has: ${listCheckpoints(runDir).join(', ') || 'none'})`, 1);

  await runWithDriver(o.driver);
  const log = (line: string) => process.stderr.write(line + '\n');
  const ctx = await openGpu(log);
  const tokenizers = await loadRunTokenizers(runDir);
  const tokenizer = tokenizers.source;
  if (model.kind === 'encoder-decoder') {
    const path = join(runDir, 'checkpoints', `step-${step}`, 'model.safetensors');
    const params = deserializeModel(buildParamLayout(model), readFileSync(path), path).params;
    // --kvCache false: the uncached reference (the whole graph over each prefix), for comparison.
    const fwd = o.kvCache ? new Seq2SeqDecoder(ctx, model, params) : new Seq2SeqForward(ctx, model, params);
    try {
      const t0 = performance.now();
      const out = await translate(fwd, tokenizers, o.source, {
        maxLength: o.maxNewTokens, beams: o.beams, lengthPenalty: o.lengthPenalty, framing: config.pretrain_studio.options.objective === 't5-span' ? 'sep' : 'cls-sep',
      });
      process.stdout.write(out.text + '\n');
      const best = out.hypotheses[0];
      const seconds = (performance.now() - t0) / 1000;
      log(`step-${step}: ${best.tokens.length} tokens, ${o.beams > 1 ? `beam ${o.beams}, length penalty ${o.lengthPenalty}` : 'greedy'}, log p ${best.score.toFixed(3)}, ${seconds.toFixed(2)} s, ${(best.tokens.length / seconds).toFixed(1)} tokens/s (${o.kvCache ? 'KV cache' : 'no cache'})`);
    } catch (err) {
      fail((err as Error).message, 1);
    }
    fwd.destroy();
    process.exit(0);
  }
  const decoder = loadDecoder(ctx, model, join(runDir, 'checkpoints', `step-${step}`, 'model.safetensors'));
  const eosId = tokenizer.tokenToId(EOS);
  const codec = { encode: (t: string) => tokenizer.encode(t), decode: (ids: readonly number[]) => tokenizer.decode(ids) };
  const abort = new AbortController();
  process.on('SIGINT', () => abort.abort());
  if (o.echoPrompt) process.stdout.write(o.prompt);
  const steps: string[] = [];
  try {
    for await (const e of generate(decoder, codec, {
      prompt: o.prompt, maxNewTokens: o.maxNewTokens, temperature: o.temperature, topK: o.topK, topP: o.topP,
      repetitionPenalty: o.repetitionPenalty, stop: o.stop, eosId, startId: eosId ?? tokenizer.encode('\n')[0],
      ...(o.seed >= 0 ? { seed: o.seed } : {}), signal: abort.signal, candidates: o.candidates,
    })) {
      if (e.type === 'token') {
        process.stdout.write(e.text);
        if (e.candidates) steps.push(candidateLine(e.index, tokenizer.idToToken(e.token) ?? '', e.probability!, e.candidates.map((c) => ({ token: tokenizer.idToToken(c.id) ?? '', probability: c.probability }))));
      } else {
        process.stdout.write(e.tail + '\n');
        for (const line of steps) log(line);
        log(`step-${step}: ${e.tokens.length} tokens (${e.reason}) at ${e.tokensPerSecond.toFixed(1)} tokens/s, seed ${e.seed}`);
      }
    }
  } catch (err) {
    fail((err as Error).message, 1);
  }
  decoder.destroy();
  process.exit(0);
}

/** One generated token's line on stderr: its probability under the model, then the top candidates. */
function candidateLine(index: number, token: string, probability: number, candidates: { token: string; probability: number }[]): string {
  const show = (t: string) => JSON.stringify(t);
  return `token ${index}: ${show(token)} p=${probability.toFixed(4)}  top: ${candidates.map((c) => `${show(c.token)} ${c.probability.toFixed(4)}`).join(', ')}`;
}

void main();
