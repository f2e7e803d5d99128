import * as v from 'valibot';
import { defineEvent } from '../define.ts';

/** How far a run.import is: its phase ('reading weights', 'writing the run', 'done') and 0..1. */
export const ImportProgressSchema = defineEvent('import.progress', {
  importId: v.string(),
  phase: v.string(),
  fraction: v.number(),
});
