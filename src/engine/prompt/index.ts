// Prompting a GPT to classify: templates and few-shot prompts, label-word likelihoods, metrics.
export { buildPrompt, checkFormat, renderDemonstration, renderQuery, seededShuffle, selectDemonstrations, type BuiltPrompt, type PromptFormat } from './few-shot';
export { evaluatePrompting, matchLabel, type PromptCodec, type PromptEvalOptions, type ShotResult } from './evaluate';
export { logProbOf, logSoftmax, scoreLabels, type LabelScores } from './label-scores';
export { readLabeledFile, type LabeledExample, type LabeledFileOptions } from './labeled';
export { classMetrics, type ClassMetrics } from './metrics';
