// The engine's command handlers, one map. A handler that only forwards to a service (the corpus
// session, the run service, the objective registry) is a line here; one with logic of its own
// has its own file. `satisfies` makes a command without a handler (or a handler of the wrong
// shape) a compile error, and types each line's params from its command's schema.
import { corpusSession } from '../corpus/session.ts';
import { objectiveInfos } from '../model/objectives.ts';
import { runsOf } from '../run-service/index.ts';
import { batchPreview } from './batch-preview.ts';
import { corpusSamples } from './corpus-samples.ts';
import { fillMask } from './fill-mask.ts';
import { seq2seqTranslate } from './seq2seq-translate.ts';
import { embeddingsNeighbours, embeddingsProject } from './embeddings.ts';
import { promptCancel, promptGenerate } from './prompt-generate.ts';
import { promptClassify, promptPreview } from './prompt-classify.ts';
import { classifyPredict } from './classify-predict.ts';
import { finetuneHandlers } from './finetune.ts';
import { gpuInfo } from './gpu-info.ts';
import { modelDefaults } from './model-defaults.ts';
import { modelEstimate } from './model-estimate.ts';
import { modelMeasure } from './model-measure.ts';
import { gpuAdapters } from './gpu-adapters.ts';
import { runImport } from './run-import.ts';
import type { EngineHandlers } from './types.ts';

export const handlers = {
  'host.ping': async ({ delayMs }, host) => {
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return { pid: process.pid, uptimeMs: Date.now() - host.startedAt };
  },
  'gpu.info': gpuInfo,
  'gpu.adapters': gpuAdapters,

  'corpus.samples': corpusSamples,
  'corpus.add': async ({ paths, samples }, host) => {
    const session = corpusSession(host);
    session.add(paths ?? [], samples ?? false);
    return session.snapshot();
  },
  'corpus.upload': async ({ uploadId, name, offset, data, last }, host) => corpusSession(host).upload(uploadId, name, offset, data, last),
  'corpus.list': async (_params, host) => corpusSession(host).snapshot(),
  'corpus.remove': async ({ id }, host) => {
    const session = corpusSession(host);
    await session.remove(id);
    return session.snapshot();
  },
  'corpus.documents': async ({ id, offset, limit, maxChars }, host) => corpusSession(host).documents(id, offset, limit, maxChars ?? 2000),
  'tokenizer.train': async ({ kind, vocabSize, objective }, host) => corpusSession(host).trainTokenizer(kind, vocabSize, objective),
  'tokenizer.cancel': async (_params, host) => {
    const session = corpusSession(host);
    session.cancelTokenizer();
    return session.snapshot();
  },
  'tokenizer.encode': async ({ text }, host) => corpusSession(host).encode(text),

  'batch.preview': batchPreview,
  'model.objectives': async () => ({ objectives: objectiveInfos() }),
  'model.estimate': modelEstimate,
  'model.measure': modelMeasure,
  'model.defaults': modelDefaults,
  'mask.fill': fillMask,
  'seq2seq.translate': seq2seqTranslate,
  'embeddings.project': embeddingsProject,
  'embeddings.neighbours': embeddingsNeighbours,
  'prompt.generate': promptGenerate,
  'prompt.cancel': promptCancel,
  'prompt.classify': promptClassify,
  'prompt.preview': promptPreview,
  'classify.predict': classifyPredict,
  ...finetuneHandlers,

  'run.start': async (params, host) => runsOf(host).start(params),
  'run.pause': async ({ runId }, host) => runsOf(host).pause(runId),
  'run.resume': async (params, host) => runsOf(host).resume(params),
  'run.stop': async ({ runId }, host) => runsOf(host).stop(runId),
  'run.status': async (_params, host) => runsOf(host).status(),
  'run.history': async ({ runDir, offset, limit }, host) => runsOf(host).history(runDir, offset, limit),
  'run.list': async (_params, host) => runsOf(host).list(),
  'run.open': async ({ runDir }, host) => runsOf(host).open(runDir),
  'run.delete': async ({ runDir }, host) => runsOf(host).delete(runDir),
  'run.import': runImport,
  'attention.inspect': async ({ source, sentences }, host) => runsOf(host).inspect(source, sentences),
  'attention.snapshots': async ({ runDir }, host) => runsOf(host).snapshots(runDir),
  'attention.snapshot': async ({ runDir, step }, host) => runsOf(host).snapshot(runDir, step),
  'attention.heads': async ({ runDir, step }, host) => runsOf(host).heads(runDir, step),
  'attention.compare': async ({ a, b, sentence }, host) => runsOf(host).compare(a, b, sentence),
} satisfies EngineHandlers;
