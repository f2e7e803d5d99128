// prompt.generate / prompt.cancel: streams a GPT run's generation as batched `prompt.tokens`
// events and answers with the whole result. The decoder is loaded per request and freed after
// it, as fill-mask does: the playground asks now and then, and holding a model's weights and KV
// cache on the GPU between requests would take memory from a training run beside it.
import { join, resolve } from 'node:path';
import type { CommandParams, CommandResult } from '../../../protocol/index.ts';
import { generate, loadDecoder } from '../../generate/index.ts';
import { latestCheckpoint, listCheckpoints } from '../../runstore/checkpoints.ts';
import { EOS, loadTokenizer, type Tokenizer } from '../../tokenizers/index.ts';
import { readRunConfig, TOKENIZER_FILE } from '../../train/index.ts';
import type { HostContext } from '../context.ts';
import type { Handler } from './types.ts';

/** Events at most this often: a few per second, not one per token. */
const EVENT_INTERVAL_MS = 100;

/** Running generations and classifications by id, per host, so prompt.cancel can abort one. */
const running = new WeakMap<HostContext, Map<string, AbortController>>();

export function runningOf(host: HostContext): Map<string, AbortController> {
  let map = running.get(host);
  if (!map) running.set(host, (map = new Map()));
  return map;
}

const pieces = (tok: Tokenizer, ids: readonly number[]) => ids.map((id) => ({ id, token: tok.idToToken(id) ?? '' }));

/** The run's decoder model and checkpoint step, refusing what cannot generate. */
export function checkpointOf(runDir: string, wanted: number | undefined) {
  const model = readRunConfig(runDir).pretrain_studio.model;
  if (model.kind !== 'decoder') throw new Error(`${runDir} holds an ${model.kind} model; generation needs a GPT (decoder)`);
  const step = wanted ?? latestCheckpoint(runDir);
  if (step === undefined) throw new Error(`${runDir} has no checkpoint yet`);
  if (!listCheckpoints(runDir).includes(step)) throw new Error(`${runDir} has no checkpoint step-${step} (it has: ${listCheckpoints(runDir).join(', ') || 'none'})`);
  return { model, step };
}

export const promptGenerate: Handler<'prompt.generate'> = async (params: CommandParams<'prompt.generate'>, host): Promise<CommandResult<'prompt.generate'>> => {
  const { generationId } = params;
  const live = runningOf(host);
  if (live.has(generationId)) throw new Error(`a generation with id '${generationId}' is already running`);
  const abort = new AbortController();
  live.set(generationId, abort);
  try {
    const runDir = resolve(params.runDir);
    const { model, step } = checkpointOf(runDir, params.step);
    const tok = await loadTokenizer(join(runDir, TOKENIZER_FILE));
    const decoder = loadDecoder(await host.gpu(), model, join(runDir, 'checkpoints', `step-${step}`, 'model.safetensors'));
    const eosId = tok.tokenToId(EOS);
    const codec = { encode: (t: string) => tok.encode(t), decode: (ids: readonly number[]) => tok.decode(ids) };
    const steps: { probability?: number; candidates?: { id: number; token: string; probability: number }[] }[] = [];
    let pendingIds: number[] = [];
    let pendingText = '';
    let sent = 0;
    let lastFlush = performance.now();
    const flush = () => {
      if (pendingIds.length === 0 && pendingText === '') return;
      host.emit({ type: 'prompt.tokens', generationId, index: sent, ids: pendingIds, text: pendingText });
      sent += pendingIds.length;
      pendingIds = [];
      pendingText = '';
      lastFlush = performance.now();
    };
    try {
      for await (const e of generate(decoder, codec, {
        prompt: params.prompt, maxNewTokens: params.maxNewTokens ?? 100, temperature: params.temperature ?? 0.8,
        topK: params.topK ?? 0, topP: params.topP ?? 1, repetitionPenalty: params.repetitionPenalty ?? 1,
        stop: params.stop ?? [], eosId, startId: eosId ?? tok.encode('\n')[0],
        ...(params.seed !== undefined ? { seed: params.seed } : {}), signal: abort.signal, candidates: params.candidates ?? 0,
      })) {
        if (e.type === 'token') {
          if (e.candidates) steps.push({ probability: e.probability, candidates: e.candidates.map((c) => ({ ...c, token: tok.idToToken(c.id) ?? '' })) });
          pendingIds.push(e.token);
          pendingText += e.text;
          if (performance.now() - lastFlush >= EVENT_INTERVAL_MS) flush();
          continue;
        }
        pendingText += e.tail;
        flush();
        const promptIds = codec.encode(params.prompt).slice(-model.blockSize);
        return {
          generationId, step, text: e.text, reason: e.reason, seed: e.seed, tokensPerSecond: e.tokensPerSecond, seconds: e.seconds,
          prompt: pieces(tok, promptIds.length ? promptIds : [eosId ?? tok.encode('\n')[0]]), generated: pieces(tok, e.tokens).map((p, i) => ({ ...p, ...steps[i] })),
        };
      }
      throw new Error('generate: ended without a result');
    } finally {
      decoder.destroy();
    }
  } finally {
    live.delete(generationId);
  }
};

export const promptCancel: Handler<'prompt.cancel'> = async ({ generationId }, host) => {
  const abort = runningOf(host).get(generationId);
  abort?.abort();
  return { cancelled: abort !== undefined };
};
