// The rows behind a fine-tuned run's scores: its test (or validation) split rebuilt as the run
// made it (the labeled file, columns, fractions and seed recorded in config.json's finetune
// block), scored under the kept checkpoint with the batch size it was scored with in training, so
// each row's prediction is the one eval.json counted: what a confusion-matrix cell lists.
import { existsSync } from 'node:fs';
import type { GpuContext } from '../gpu/device';
import { readRunConfig } from '../train/run-folder';
import { encodeRows } from './encode';
import { loadClassifier, loadLabeledData, scoreWith } from './run';

export interface ClassifiedRow {
  file: string;
  line: number;
  text: string;
  pair?: string;
  /** True and predicted label ids (into the run's labels). */
  label: number;
  predicted: number;
  /** One probability per label. */
  probabilities: number[];
}

interface FineTuneBlock {
  data: string[];
  columns: { text: string; pair?: string; label: string };
  split: { valFraction: number; testFraction: number; seed: number };
  options: { batchSize: number };
}

export async function splitPredictions(ctx: GpuContext, runDir: string, which: 'test' | 'val'): Promise<{ labels: string[]; split: 'test' | 'val'; rows: ClassifiedRow[] }> {
  const ft = (readRunConfig(runDir).pretrain_studio as unknown as { finetune?: FineTuneBlock }).finetune;
  if (!ft) throw new Error(`${runDir} is not a fine-tuned classifier (no finetune block in config.json)`);
  if (ft.data.length !== 1) throw new Error(`${runDir} was scored on separate validation / test files: evaluate them with npm run evaluate`);
  const file = ft.data[0];
  if (!existsSync(file)) throw new Error(`${runDir}: its labeled file ${file} is gone (an upload lasts as long as the engine that received it)`);
  const data = loadLabeledData({
    data: file, valData: '', testData: '', textField: ft.columns.text, pairField: ft.columns.pair, labelField: ft.columns.label,
    badRows: 'skip', valFraction: ft.split.valFraction, testFraction: ft.split.testFraction, seed: ft.split.seed,
  });
  const c = await loadClassifier(runDir);
  const split = which === 'test' && data.splits.test.length > 0 ? 'test' : 'val';
  const rows = data.splits[split];
  const K = c.labels.id2label.length;
  const scores = await scoreWith(ctx, c, encodeRows(c.tokenizer, c.layout.config.kind, rows, c.labels, c.maxLength), ft.options.batchSize);
  return {
    labels: c.labels.id2label,
    split,
    rows: rows.map((r, i) => ({
      file: r.file, line: r.line, text: r.text, ...(r.pair !== undefined ? { pair: r.pair } : {}),
      label: c.labels.label2id[r.label], predicted: scores.predictions[i], probabilities: [...scores.probabilities.subarray(i * K, (i + 1) * K)],
    })),
  };
}
