import * as v from 'valibot';
import { defineCommand } from '../define.ts';

/** One head's statistics over the probe sentences (src/engine/inspect/head-stats.ts says how each is computed). */
export const HeadStatSchema = v.object({
  layer: v.number(),
  head: v.number(),
  /** Mean entropy of a query row's distribution, in nats. */
  entropy: v.number(),
  /** Mean attended distance |i - j|, in tokens. */
  distance: v.number(),
  /** Mean share of attention on [CLS] / [SEP] (null: no probe has the token), and on the first token. */
  cls: v.nullable(v.number()),
  sep: v.nullable(v.number()),
  first: v.number(),
});
export type HeadStatResult = v.InferOutput<typeof HeadStatSchema>;

/** Per-head statistics of a run's attention snapshot at `step`, over all its probe sentences. */
export const attentionHeads = defineCommand({
  target: 'engine',
  summary: 'Per-head attention statistics over the probe sentences of a snapshot',
  timeoutMs: 30_000,
  params: v.object({ runDir: v.pipe(v.string(), v.minLength(1)), step: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
  result: v.object({
    step: v.number(),
    nLayer: v.number(),
    nHead: v.number(),
    kind: v.string(),
    sentences: v.array(v.string()),
    heads: v.array(HeadStatSchema),
  }),
});
