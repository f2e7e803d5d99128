// embeddings.project and embeddings.neighbours: load a run's checkpoint (config, tokenizer,
// model.safetensors), build the embedding set the request names, and project it or search it.
// The contextual path frees its GPU buffers at once (a training run may be sharing the device).
// The last set built is kept per host: a search asks for the neighbours of the set just projected,
// and should not reload the checkpoint, recount the training tokens or rerun the forward pass.
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandParams } from '../../../protocol/index.ts';
import { HiddenStates } from '../../inspect/hidden-states.ts';
import { type EmbeddingSet, neighboursOf, pointsOf, project } from '../../inspect/projector.ts';
import { chooseTokens, runTokenCounts, tokenEmbeddingRows, type TokenSelection } from '../../inspect/token-table.ts';
import type { ModelConfig } from '../../model/config.ts';
import { buildParamLayout } from '../../model/params.ts';
import { latestCheckpoint, listCheckpoints } from '../../runstore/checkpoints.ts';
import { CLS, loadTokenizer, SEP } from '../../tokenizers/index.ts';
import { deserializeModel, readRunConfig, TOKENIZER_FILE } from '../../train/index.ts';
import type { HostContext } from '../context.ts';
import type { Handler } from './types.ts';

const DEFAULT_MAX_TOKENS = 2000;

type SetRequest = Pick<CommandParams<'embeddings.project'>, 'runDir' | 'step' | 'source'>;

interface LoadedSet extends EmbeddingSet {
  step: number;
  steps: number[];
  modelKind: string;
  vocabSize: number;
  selection: TokenSelection | 'sentence';
}

const lastSet = new WeakMap<HostContext, { key: string; set: LoadedSet }>();

async function loadSet(request: SetRequest, host: HostContext): Promise<LoadedSet> {
  const { runDir: dir, step: wanted, source } = request;
  const runDir = resolve(dir);
  const { model, objective } = readRunConfig(runDir).pretrain_studio;
  const steps = listCheckpoints(runDir);
  const step = wanted ?? latestCheckpoint(runDir);
  if (step === undefined) throw new Error(`${runDir} has no checkpoint yet`);
  if (!steps.includes(step)) throw new Error(`${runDir} has no checkpoint step-${step} (it has ${steps.join(', ') || 'none'})`);
  const path = join(runDir, 'checkpoints', `step-${step}`, 'model.safetensors');
  // A run deleted and started again under the same name writes new files: the time tells them apart.
  const key = JSON.stringify([path, statSync(path).mtimeMs, source]);
  const cached = lastSet.get(host);
  if (cached?.key === key) return { ...cached.set, steps };
  const set = await buildSet(runDir, path, model, objective, step, steps, source, host);
  lastSet.set(host, { key, set });
  return set;
}

async function buildSet(runDir: string, path: string, model: ModelConfig, objective: string, step: number, steps: number[], source: SetRequest['source'], host: HostContext): Promise<LoadedSet> {
  const tok = await loadTokenizer(join(runDir, TOKENIZER_FILE));
  const layout = buildParamLayout(model);
  const { params } = deserializeModel(layout, readFileSync(path), path);
  const vocabSize = Math.min(model.vocabSize, tok.vocabSize);
  const common = { step, steps, modelKind: model.kind, vocabSize, dim: model.nEmbd };

  if (source.kind === 'tokens') {
    const maxTokens = source.maxTokens ?? DEFAULT_MAX_TOKENS;
    const counts = vocabSize > maxTokens ? await runTokenCounts(runDir, vocabSize) : null;
    const { ids, selection } = chooseTokens(vocabSize, maxTokens, counts);
    return { ...common, selection, points: pointsOf(tok, ids), vectors: tokenEmbeddingRows(layout, params, ids) };
  }
  const body = tok.encode(source.text);
  let ids = body;
  if (model.kind !== 'decoder') {
    const cls = tok.tokenToId(CLS), sep = tok.tokenToId(SEP);
    if (cls === undefined || sep === undefined) throw new Error(`${runDir}: the tokenizer has no ${CLS}/${SEP} (was this run trained with BERT's specials?)`);
    // The encoder reads the sentence as training framed it: BERT and BART '[CLS] text [SEP]', T5's
    // span corruption 'text [SEP]' (as seq2seq decoding does, generate/seq2seq-forward.ts).
    ids = objective === 't5-span' ? [...body, sep] : [cls, ...body, sep];
  }
  if (body.length === 0) throw new Error(`the sentence "${source.text}" encodes to no tokens`);
  const forward = new HiddenStates(await host.gpu(), model, params);
  try {
    return { ...common, selection: 'sentence', points: pointsOf(tok, ids), vectors: await forward.run(ids) };
  } finally {
    forward.destroy();
  }
}

export const embeddingsProject: Handler<'embeddings.project'> = async (params, host) => {
  const set = await loadSet(params, host);
  const { coords, dims, varianceRatio } = await project(set, params.method, params.dims, params.seed ?? 42);
  return {
    step: set.step,
    steps: set.steps,
    modelKind: set.modelKind,
    dim: set.dim,
    vocabSize: set.vocabSize,
    selection: set.selection,
    points: set.points,
    method: params.method,
    dims,
    coords: Array.from(coords),
    varianceRatio,
  };
};

export const embeddingsNeighbours: Handler<'embeddings.neighbours'> = async (params, host) => {
  const set = await loadSet(params, host);
  if (params.index >= set.points.length) throw new Error(`embeddings.neighbours: point ${params.index} is outside the set's ${set.points.length} points`);
  const neighbours = neighboursOf(set, params.index, params.k ?? 10).map(({ index, score }) => ({ index, id: set.points[index].id, text: set.points[index].text, score }));
  return { step: set.step, query: set.points[params.index], neighbours };
};
