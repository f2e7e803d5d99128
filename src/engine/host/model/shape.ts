// The engine's model and batch for a shape the UI asks about: the trainer's own mapping, through
// the objective's registry entry (its model family, and its batch shape: an encoder-decoder adds
// a target length).
import type { ModelShape } from '../../../protocol/commands/model-schemas.ts';
import { DEFAULT_TRAIN_OPTIONS, modelConfigFor, paramLayoutFor } from '../../config/train-config.ts';
import type { ParamLayout } from '../../model/params.ts';
import type { ModelConfig } from '../../model/config.ts';
import type { Seq2SeqShape } from '../../model/bart.ts';
import { trainableObjective } from '../../objectives/index.ts';

/** The trainer's model config: with a target vocabulary, the encoder reads the source's and the decoder the target's (run.ts does the same). */
export function configOf(s: ModelShape): ModelConfig {
  return modelConfigFor({ ...DEFAULT_TRAIN_OPTIONS, ...s }, s.vocabSize, s.targetVocabSize);
}

export function batchOf(s: ModelShape): Seq2SeqShape {
  return trainableObjective(s.objective).batchShape({ ...DEFAULT_TRAIN_OPTIONS, ...s });
}

/** The parameter layout a run of this shape trains: the objective's heads and the frozen prefixes (the trainer's paramLayoutFor). */
export function layoutOf(s: ModelShape): ParamLayout {
  return paramLayoutFor({ objective: s.objective, frozen: s.frozen ?? [] }, configOf(s));
}
