// Everything a training run needs, as plain values: the one TrainOptions schema
// (src/protocol/train-options.ts: types, ranges, defaults, descriptions) re-exported for the engine,
// and the one place a run's options are put together: defaults, then a preset, then the caller's
// overrides (the CLI's --key=value, run.start's `options`), checked, with the objective resolved
// in the registry.
import {
  DEFAULT_TRAIN_OPTIONS,
  parseTrainOptions,
  parseTrainOptionsPatch,
  type Schedule,
  TrainOptionsError,
  type TokenizerKind,
  type TrainOptions,
  type TrainOptionsPatch,
} from '../../protocol/train-options.ts';
import type { ModelConfig } from '../model/config';
import { buildParamLayout, type ParamLayout } from '../model/params';
import { trainableObjective } from '../objectives/index.ts';
import { PRESETS } from './presets';

export { DEFAULT_TRAIN_OPTIONS, type Schedule, type TokenizerKind, type TrainOptions, type TrainOptionsPatch };

/** Checks a complete option set and that its objective trains; throws naming the bad option. */
export function validateTrainOptions(o: unknown, context?: string): TrainOptions {
  const options = parseTrainOptions(o, context);
  const entry = trainableObjective(options.objective);
  if (options.targetCorpus.length && !entry.paired) {
    throw new TrainOptionsError([{ option: 'targetCorpus', message: `is for objectives that read pairs (seq2seq); objective '${entry.id}' reads plain text` }], context);
  }
  if (!options.sharedTokenizer && !entry.paired) {
    throw new TrainOptionsError([{ option: 'sharedTokenizer', message: `false (a tokenizer per side) is for objectives that read pairs (seq2seq); objective '${entry.id}' reads plain text` }], context);
  }
  // Frozen prefixes name tensors, which do not depend on the vocabulary: checked here, before any data is read.
  if (options.frozen.length) paramLayoutFor(options, modelConfigFor(options, 64));
  return options;
}

/**
 * A new run's options: the defaults, then the named preset, then `overrides` (each checked alone,
 * unknown keys refused), then the whole set checked. The CLI and the engine host both come here.
 */
export function resolveTrainOptions(preset: string | undefined, overrides: unknown, context = 'options'): TrainOptions {
  let base: TrainOptionsPatch = {};
  if (preset !== undefined && preset !== '') {
    const p = PRESETS[preset];
    if (!p) throw new Error(`unknown preset '${preset}' (presets: ${Object.keys(PRESETS).join(', ')})`);
    base = p.options;
  }
  const patch = parseTrainOptionsPatch(overrides ?? {}, context);
  return validateTrainOptions({ ...DEFAULT_TRAIN_OPTIONS, ...base, ...patch }, context);
}

/**
 * The model shape these options describe, once the tokenizer's vocabulary size is known: the
 * objective's own family. `targetVocabSize`: the target tokenizer's, when a seq2seq run has one per side.
 */
export function modelConfigFor(o: TrainOptions, vocabSize: number, targetVocabSize?: number): ModelConfig {
  const entry = trainableObjective(o.objective);
  const model = entry.model({
    vocabSize,
    ...(targetVocabSize !== undefined ? { targetVocabSize } : {}),
    nLayer: o.nLayer,
    nHead: o.nHead,
    nEmbd: o.nEmbd,
    blockSize: o.blockSize,
    ffWidth: o.ffWidth || 4 * o.nEmbd,
    dropout: o.dropout,
    bias: o.bias,
  });
  if (model.kind !== entry.modelKind) throw new Error(`objective '${entry.id}' says its model is a ${entry.modelKind} but built a ${model.kind}`);
  return model;
}

/**
 * The parameter layout a run of these options trains: the model's body, the objective entry's
 * heads, and the frozen prefixes. The trainer, resume, the memory estimate and the step-time
 * measurement all build it here, so they lay out the same tensors.
 */
export function paramLayoutFor(o: Pick<TrainOptions, 'objective' | 'frozen'>, model: ModelConfig): ParamLayout {
  const entry = trainableObjective(o.objective);
  try {
    return buildParamLayout(model, { heads: entry.heads, frozen: o.frozen });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!/frozen prefix/.test(message)) throw error;
    const roots = [...new Set(buildParamLayout(model, { heads: entry.heads }).slabs.flatMap((s) => s.parts.map((p) => p.name.split('.').slice(0, 2).join('.') + '.')))];
    throw new Error(`frozen: ${message.replace(/^ParamLayout: /, '')} of objective '${entry.id}' (its tensors start with ${roots.slice(0, 8).join(', ')}${roots.length > 8 ? ', …' : ''})`, { cause: error });
  }
}
