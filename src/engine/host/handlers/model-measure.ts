import { measureStep } from '../model/measure.ts';
import type { Handler } from './types.ts';

export const modelMeasure: Handler<'model.measure'> = async ({ shape, steps, maxMs }, host) => {
  const ctx = await host.gpu();
  const m = await measureStep(ctx, shape, steps, maxMs);
  return { ...m, adapter: ctx.report?.description || ctx.report?.device || 'this adapter' };
};
