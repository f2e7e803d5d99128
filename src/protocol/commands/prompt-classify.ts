import * as v from 'valibot';
import { defineCommand } from '../define.ts';

const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const path = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));

/** The prompt's shape: a template with {text}, a label word per class, the separator between demonstrations. */
const Format = {
  template: v.pipe(v.string(), v.includes('{text}', 'must contain {text}'), v.maxLength(10_000)),
  classes: v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(200))), v.minLength(2), v.maxLength(50)),
  words: v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(200))), v.minLength(2), v.maxLength(50)),
  separator: v.optional(v.pipe(v.string(), v.maxLength(200))),
};

/** Where labeled rows come from: a .csv/.tsv/.jsonl file on the engine's machine. */
const Data = {
  data: path,
  textColumn: v.optional(v.pipe(v.string(), v.minLength(1))),
  labelColumn: v.optional(v.pipe(v.string(), v.minLength(1))),
  /** Demonstrations come from here (default: the rows of `data` not evaluated). */
  pool: v.optional(path),
};

const ShotResult = v.object({
  k: v.number(),
  seed: v.number(),
  accuracy: v.number(),
  macroF1: v.number(),
  f1: v.array(v.number()),
  confusion: v.array(v.array(v.number())),
  unmatched: v.number(),
  demonstrations: v.array(v.object({ line: v.number(), label: v.string() })),
  examplePrompt: v.string(),
  contentFreePrompt: v.optional(v.string()),
  cutExamples: v.number(),
  cuts: v.array(v.string()),
  seconds: v.number(),
});

/**
 * Classifies rows [offset, offset + limit) of a labeled file by prompting a GPT run: for each K of
 * `shots` (demonstrations per class) and each seed, accuracy and macro-F1. Progress comes as
 * `prompt.progress` events under `generationId`; prompt.cancel with that id stops it (an error reply).
 */
export const promptClassify = defineCommand({
  target: 'engine',
  summary: 'Zero-/few-shot classification of a labeled file by prompting a GPT run',
  timeoutMs: 6 * 60 * 60_000,
  params: v.object({
    generationId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
    runDir: v.pipe(v.string(), v.minLength(1)),
    step: v.optional(int(0, Number.MAX_SAFE_INTEGER)),
    ...Data,
    offset: v.optional(int(0, 10_000_000)),
    limit: v.optional(int(1, 20_000)),
    ...Format,
    method: v.optional(v.picklist(['likelihood', 'generate'])),
    normalize: v.optional(v.boolean()),
    calibrate: v.optional(v.boolean()),
    contentFree: v.optional(v.pipe(v.string(), v.maxLength(1000))),
    shots: v.pipe(v.array(int(0, 64)), v.minLength(1), v.maxLength(10)),
    seeds: v.optional(v.pipe(v.array(int(0, 2 ** 31)), v.minLength(1), v.maxLength(10))),
    order: v.optional(v.picklist(['shuffled', 'grouped'])),
  }),
  result: v.object({ step: v.number(), n: v.number(), blockSize: v.number(), results: v.array(ShotResult) }),
});

/** The exact prompt a text gets with K demonstrations per class (seeded), before any scoring. */
export const promptPreview = defineCommand({
  target: 'engine',
  summary: 'The exact few-shot prompt for one text',
  timeoutMs: 60_000,
  params: v.object({
    runDir: v.pipe(v.string(), v.minLength(1)),
    ...Data,
    ...Format,
    /** The rows prompt.classify would evaluate, kept out of the demonstration pool as it does. */
    offset: v.optional(int(0, 10_000_000)),
    limit: v.optional(int(1, 20_000)),
    text: v.pipe(v.string(), v.maxLength(100_000)),
    k: int(0, 64),
    seed: v.optional(int(0, 2 ** 31)),
    order: v.optional(v.picklist(['shuffled', 'grouped'])),
  }),
  result: v.object({
    text: v.string(),
    tokens: v.number(),
    blockSize: v.number(),
    demonstrations: v.array(v.object({ line: v.number(), label: v.string() })),
    cut: v.array(v.string()),
  }),
});
