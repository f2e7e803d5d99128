// Builds the heads a layout lists, in order, over one body.
import { planClassifyHead } from './classify';
import type { HeadBuilder, HeadContext } from './head';
import { planLmHead } from './lm';
import { planMlmHead } from './mlm';
import { planNspHead } from './nsp';
import type { HeadSpec } from './spec';

export function planHeads(h: HeadContext, specs: readonly HeadSpec[], lmTargets: string): HeadBuilder[] {
  return specs.map((s) => {
    if (s.kind === 'lm') return planLmHead(h, lmTargets);
    if (s.kind === 'mlm') return planMlmHead(h);
    if (s.kind === 'nsp') return planNspHead(h);
    return planClassifyHead(h, s);
  });
}
