import * as v from 'valibot';
import { defineCommand } from '../define.ts';

/**
 * Imports a Hugging Face GPT-2 or BERT checkpoint folder on this machine (config.json,
 * model.safetensors, tokenizer files) as a new run in the runs directory. Progress comes as
 * `import.progress` events with the same `importId`.
 */
export const runImport = defineCommand({
  target: 'engine',
  summary: 'Import a Hugging Face checkpoint folder as a run',
  // A 124M-parameter checkpoint is 500 MB read from disk and rewritten.
  timeoutMs: 600_000,
  params: v.object({
    importId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
    /** The checkpoint folder: an absolute path on the machine the engine runs on. */
    from: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
    /** The new run folder's name inside the runs directory ('' = the checkpoint folder's name). */
    name: v.optional(v.pipe(v.string(), v.maxLength(128), v.regex(/^[^/\\]*$/, 'a folder name, without / or \\'), v.check((s) => s !== '.' && s !== '..', 'a folder name, not . or ..'))),
  }),
  result: v.object({
    runDir: v.string(),
    from: v.string(),
    architecture: v.string(),
    objective: v.string(),
    parameters: v.number(),
    dtypes: v.record(v.string(), v.number()),
    tokenizer: v.object({ source: v.string(), kind: v.string(), vocabSize: v.number() }),
    ignored: v.array(v.object({ name: v.string(), why: v.string() })),
    initialised: v.array(v.string()),
    seconds: v.number(),
  }),
});
