// Training: one recorded step replayed (step.ts, readback.ts) and whole runs around it (run.ts:
// data, checkpoints, metrics, samples). The public surface for the engine host and the CLI.
export { TrainingRun, type RunRequest, type RunSummary, type TrainingRunOptions } from './run';
export type { RunProgress, RunState, TrainerEvent, TrainerEventSink } from './events';
export { prepareData, tokenizerOptionsFor, type PreparedData, type PreparePhase, type PrepareProgress } from './prepare';
export { readRunConfig, createRunDir, CONFIG_FILE, TOKENIZER_FILE, METRICS_FILE } from './run-folder';
export { loadRunTokenizers, saveRunTokenizers, TARGET_TOKENIZER_FILE, type RunTokenizers } from './run-tokenizers';
export { runConfigJson, type RunConfigJson, type StudioBlock, type DataDescription } from './hf-config';
export { initParams } from './init';
export { serializeModel, serializeOptimizer, deserializeModel, deserializeOptimizer, describeLoad, type LoadedModel } from './weights-io';
export { SampleWriter } from './samples';
