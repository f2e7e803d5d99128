// The objectives the app knows: one file each, one line each here. Importing this module fills
// the registry; everything else asks the registry (registry.ts), never a list of its own.
import { registerObjective } from './registry.ts';
import { clm } from './clm.ts';
import { mlm } from './mlm.ts';
import { mlmNsp } from './mlm-nsp.ts';
import { bart } from './bart.ts';
import { t5Span } from './t5-span.ts';
import { seq2seq } from './seq2seq.ts';
import { classify } from './classify.ts';

registerObjective(clm);
registerObjective(mlm);
registerObjective(mlmNsp);
registerObjective(bart);
registerObjective(t5Span);
registerObjective(seq2seq);
registerObjective(classify);

export { findObjective, headNames, listObjectives, metricNames, registerObjective, termMetrics, trainableObjective, unregisterObjective } from './registry.ts';
export type { ChartLine, Collator, EvalSampler, EvalScorer, ModelShapeValues, ObjectiveCharts, ObjectiveEntry, ObjectiveInfo, PlannedObjective, SamplerArgs, ScorerArgs, TrainableObjective } from './types.ts';
