// classify.predict: a fine-tuned run's scores (its eval.json, written by fineTune) and, for a text,
// each label's probability under its kept checkpoint. The model is loaded per request and freed,
// as mask.fill does: a "try it" box asks rarely.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { predictText, type FineTuneResult } from '../../finetune/run.ts';
import { readRunConfig } from '../../train/index.ts';
import type { Handler } from './types.ts';

export const classifyPredict: Handler<'classify.predict'> = async ({ runDir: dir, text, pair }, host) => {
  const runDir = resolve(dir);
  const config = readRunConfig(runDir) as unknown as { id2label?: Record<string, string> };
  const evalPath = join(runDir, 'eval.json');
  if (!config.id2label || !existsSync(evalPath)) throw new Error(`${runDir} is not a finished fine-tuned classifier (no id2label in config.json, or no eval.json): make one with npm run finetune`);
  const r = JSON.parse(readFileSync(evalPath, 'utf8')) as FineTuneResult;
  const labels = Object.keys(config.id2label).sort((a, b) => Number(a) - Number(b)).map((k) => config.id2label![k]);
  const prediction = text ? await predictText(await host.gpu(), runDir, text, pair) : undefined;
  return { labels, init: r.init, scope: r.scope, steps: r.steps, bestStep: r.bestStep, val: r.val, test: r.test, majority: r.majority, ...(prediction ? { prediction } : {}) };
};
