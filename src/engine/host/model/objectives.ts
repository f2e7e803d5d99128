// The objective registry as the UI sees it: the cards, whether each trains (a planned slot says
// why not), and the metric names and charts of a run of it.
import type { ObjectiveInfoWire } from '../../../protocol/commands/model-objectives.ts';
import { headNames, listObjectives, metricNames, type ObjectiveEntry } from '../../objectives/index.ts';

export function objectiveInfo(e: ObjectiveEntry): ObjectiveInfoWire {
  const common = { id: e.id, title: e.title, family: e.family, summary: e.summary, modelKind: e.modelKind, heads: headNames(e) };
  if (e.status === 'planned') return { ...common, available: false, reason: e.reason, metrics: [], samples: null, charts: e.charts ? structuredClone(e.charts) : { loss: [], perplexity: [], accuracy: [] } };
  return { ...common, available: true, paired: e.paired ?? false, metrics: metricNames(e), samples: e.samples, charts: structuredClone(e.charts) };
}

export function objectiveInfos(): ObjectiveInfoWire[] {
  return listObjectives().map(objectiveInfo);
}
