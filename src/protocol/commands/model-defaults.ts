import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { TrainOptionsPatchSchema, TrainOptionsSchema } from '../train-options.ts';

/** The schema's default options and the engine's named presets (src/engine/config), for the model page to start from. */
export const modelDefaults = defineCommand({
  target: 'engine',
  summary: 'List the default training options and the presets',
  timeoutMs: 10_000,
  params: v.object({}),
  result: v.object({
    defaults: TrainOptionsSchema,
    presets: v.array(v.object({ name: v.string(), description: v.string(), options: TrainOptionsPatchSchema })),
  }),
});
