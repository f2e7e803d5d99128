// The engine's model config for a shape the UI asks about (the trainer's own mapping).
import type { ModelShape } from '../../../protocol/commands/model-schemas.ts';
import { DEFAULT_TRAIN_OPTIONS, modelConfigFor } from '../../config/train-config.ts';
import type { ModelConfig } from '../../model/config.ts';

export function configOf(s: ModelShape): ModelConfig {
  return modelConfigFor({ ...DEFAULT_TRAIN_OPTIONS, ...s }, s.vocabSize);
}
