import { PRESETS } from '../../config/presets.ts';
import { DEFAULT_TRAIN_OPTIONS } from '../../config/train-config.ts';
import type { Handler } from './types.ts';

export const modelDefaults: Handler<'model.defaults'> = async () => ({
  defaults: structuredClone(DEFAULT_TRAIN_OPTIONS),
  presets: Object.entries(PRESETS).map(([name, p]) => ({ name, description: p.description, options: structuredClone(p.options) })),
});
