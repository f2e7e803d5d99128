import * as v from 'valibot';
import { defineCommand } from '../define.ts';

/**
 * Which WebGPU adapter the engine opens: WebGPU's two power preferences, or one adapter by name
 * (matched, case-insensitively, against what gpu.adapters lists). Saved in the app's settings and
 * handed to the engine host as PRETRAIN_STUDIO_ADAPTER (adapterChoiceToText).
 */
export const AdapterChoiceSchema = v.union([
  v.picklist(['high-performance', 'low-power']),
  v.strictObject({ name: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(256)) }),
]);
export type AdapterChoice = v.InferOutput<typeof AdapterChoiceSchema>;

/** One adapter the engine found, and which requests return it. */
export const AdapterSummarySchema = v.object({
  /** What the menu shows and a named choice matches: the adapter's description, else device, else vendor and architecture. */
  name: v.string(),
  vendor: v.string(),
  architecture: v.string(),
  description: v.string(),
  isFallbackAdapter: v.boolean(),
  /** The requests that returned it ('high-performance', 'low-power', 'fallback'). */
  via: v.array(v.picklist(['high-performance', 'low-power', 'fallback'])),
});
export type AdapterSummary = v.InferOutput<typeof AdapterSummarySchema>;

export const gpuAdapters = defineCommand({
  target: 'engine',
  summary: 'List the WebGPU adapters the engine can open, and the choice it was started with',
  timeoutMs: 30_000,
  params: v.object({}),
  result: v.object({ adapters: v.array(AdapterSummarySchema), choice: AdapterChoiceSchema }),
});

/** The environment form of a choice: the preference itself, or `name:<adapter name>`. */
export function adapterChoiceToText(choice: AdapterChoice): string {
  return typeof choice === 'string' ? choice : `name:${choice.name}`;
}

/**
 * Reads a choice from PRETRAIN_STUDIO_ADAPTER or a `--adapter` flag: 'high-performance',
 * 'low-power', 'name:<name>', or any other text as a name. Empty means the default.
 */
export function adapterChoiceFromText(text: string | undefined): v.SafeParseResult<typeof AdapterChoiceSchema> {
  const trimmed = (text ?? '').trim();
  const raw = !trimmed ? 'high-performance' : trimmed === 'high-performance' || trimmed === 'low-power' ? trimmed : { name: trimmed.replace(/^name:/, '') };
  return v.safeParse(AdapterChoiceSchema, raw);
}
