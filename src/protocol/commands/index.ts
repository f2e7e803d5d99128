// The command registry. To add a command: write its schema file next to these, add one line here,
// and add its handler (engine: src/engine/host/handlers/, app: src/main/app-handlers.ts). The
// types below make a missing handler a compile error.
import { corpusSamples } from './corpus-samples.ts';
import { corpusAdd } from './corpus-add.ts';
import { corpusUpload } from './corpus-upload.ts';
import { corpusList } from './corpus-list.ts';
import { corpusRemove } from './corpus-remove.ts';
import { corpusDocuments } from './corpus-documents.ts';
import { tokenizerTrain } from './tokenizer-train.ts';
import { tokenizerCancel } from './tokenizer-cancel.ts';
import { tokenizerEncode } from './tokenizer-encode.ts';
import { batchPreview } from './batch-preview.ts';
import { fillMask } from './fill-mask.ts';
import { seq2seqTranslate } from './seq2seq-translate.ts';
import { embeddingsNeighbours, embeddingsProject } from './embeddings.ts';
import { promptCancel, promptGenerate } from './prompt-generate.ts';
import { promptClassify, promptPreview } from './prompt-classify.ts';
import { classifyPredict } from './classify-predict.ts';
import { modelObjectives } from './model-objectives.ts';
import { modelEstimate } from './model-estimate.ts';
import { modelMeasure } from './model-measure.ts';
import { modelDefaults } from './model-defaults.ts';
import { gpuInfo } from './gpu-info.ts';
import { gpuAdapters } from './gpu-adapters.ts';
import { hostPing } from './host-ping.ts';
import { hostRestart } from './host-restart.ts';
import { hostStatus } from './host-status.ts';
import { runCommands } from './run-registry.ts';
import { finetuneCommands } from './finetune.ts';

export const commands = {
  'host.ping': hostPing,
  'host.status': hostStatus,
  'host.restart': hostRestart,
  'gpu.info': gpuInfo,
  'gpu.adapters': gpuAdapters,
  'corpus.samples': corpusSamples,
  'corpus.add': corpusAdd,
  'corpus.upload': corpusUpload,
  'corpus.list': corpusList,
  'corpus.remove': corpusRemove,
  'corpus.documents': corpusDocuments,
  'tokenizer.train': tokenizerTrain,
  'tokenizer.cancel': tokenizerCancel,
  'tokenizer.encode': tokenizerEncode,
  'batch.preview': batchPreview,
  'model.objectives': modelObjectives,
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
  ...runCommands,
  ...finetuneCommands,
} as const;
