// Engine command handlers, one file each. `satisfies` makes a command without a handler (or a
// handler of the wrong shape) a compile error.
import { corpusSamples } from './corpus-samples.ts';
import { corpusAdd } from './corpus-add.ts';
import { corpusUpload } from './corpus-upload.ts';
import { corpusList } from './corpus-list.ts';
import { corpusRemove } from './corpus-remove.ts';
import { corpusDocuments } from './corpus-documents.ts';
import { tokenizerTrain } from './tokenizer-train.ts';
import { tokenizerEncode } from './tokenizer-encode.ts';
import { batchPreview } from './batch-preview.ts';
import { modelObjectives } from './model-objectives.ts';
import { modelEstimate } from './model-estimate.ts';
import { modelMeasure } from './model-measure.ts';
import { modelDefaults } from './model-defaults.ts';
import { gpuInfo } from './gpu-info.ts';
import { gpuAdapters } from './gpu-adapters.ts';
import { hostPing } from './host-ping.ts';
import { runHandlers } from './run-registry.ts';
import type { EngineHandlers } from './types.ts';

export const handlers = {
  'host.ping': hostPing,
  'gpu.info': gpuInfo,
  'gpu.adapters': gpuAdapters,
  'corpus.samples': corpusSamples,
  'corpus.add': corpusAdd,
  'corpus.upload': corpusUpload,
  'corpus.list': corpusList,
  'corpus.remove': corpusRemove,
  'corpus.documents': corpusDocuments,
  'tokenizer.train': tokenizerTrain,
  'tokenizer.encode': tokenizerEncode,
  'batch.preview': batchPreview,
  'model.objectives': modelObjectives,
  'model.estimate': modelEstimate,
  'model.measure': modelMeasure,
  'model.defaults': modelDefaults,
  ...runHandlers,
} satisfies EngineHandlers;
