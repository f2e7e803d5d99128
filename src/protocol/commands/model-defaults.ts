import * as v from 'valibot';
import { defineCommand } from '../define.ts';

const OptionValue = v.union([v.string(), v.number(), v.boolean(), v.array(v.string())]);

/** The trainer's default options and named presets (src/engine/config), for the model page to start from. */
export const modelDefaults = defineCommand({
  target: 'engine',
  summary: 'List the default training options and the presets',
  timeoutMs: 10_000,
  params: v.object({}),
  result: v.object({
    defaults: v.record(v.string(), OptionValue),
    presets: v.array(v.object({ name: v.string(), description: v.string(), options: v.record(v.string(), OptionValue) })),
  }),
});
