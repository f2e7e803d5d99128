import * as v from 'valibot';
import { defineCommand } from '../define.ts';

export const SampleFileSchema = v.object({
  name: v.string(),
  bytes: v.number(),
  format: v.picklist(['txt', 'tsv', 'csv', 'jsonl']),
});
export type SampleFile = v.InferOutput<typeof SampleFileSchema>;

/** Lists the built-in sample corpus (assets/sample-corpus: .txt, .tsv, .csv, .jsonl), the default corpus. */
export const corpusSamples = defineCommand({
  target: 'engine',
  summary: 'List the files of the built-in sample corpus',
  timeoutMs: 10_000,
  params: v.object({}),
  result: v.object({
    files: v.array(SampleFileSchema),
  }),
});
