// Which adapter the engine opens. WebGPU offers no list of adapters, only requestAdapter() with a
// power preference or forceFallbackAdapter; on a machine with an integrated and a discrete GPU the
// two preferences return different adapters, and the fallback request returns the CPU one where
// the host has it. So "the adapters the engine finds" are the distinct answers to those three
// requests, and a named choice is the first of them whose name contains the name asked for.
// No Node imports: runs in Electron's engine worker and under Dawn alike.
import { adapterChoiceFromText, type AdapterChoice, type AdapterSummary } from '../../protocol/index.ts';

type Via = AdapterSummary['via'][number];

const REQUESTS: [Via, GPURequestAdapterOptions][] = [
  ['high-performance', { powerPreference: 'high-performance' }],
  ['low-power', { powerPreference: 'low-power' }],
  ['fallback', { forceFallbackAdapter: true }],
];

/** The name an adapter is listed and chosen by: its description, else its device, else vendor and architecture. */
export function adapterLabel(info: Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'>): string {
  return info.description.trim() || info.device.trim() || [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
}

function isFallback(adapter: GPUAdapter): boolean {
  return Boolean((adapter.info as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter);
}

interface Found {
  summary: AdapterSummary;
  adapter: GPUAdapter;
}

async function findAdapters(gpu: GPU): Promise<Found[]> {
  const found = new Map<string, Found>();
  for (const [via, request] of REQUESTS) {
    // A host may refuse a request (no fallback adapter): that is "not found", not an error.
    const adapter = await gpu.requestAdapter(request).catch(() => null);
    if (!adapter) continue;
    const { vendor, architecture, device, description } = adapter.info;
    const key = JSON.stringify([vendor, architecture, device, description, isFallback(adapter)]);
    const seen = found.get(key);
    if (seen) {
      seen.summary.via.push(via);
      continue;
    }
    const summary = { name: adapterLabel(adapter.info), vendor, architecture, description, isFallbackAdapter: isFallback(adapter), via: [via] };
    found.set(key, { summary, adapter });
  }
  return [...found.values()];
}

/** The distinct adapters `gpu` returns to the three requests, in request order. */
export async function listAdapters(gpu: GPU): Promise<AdapterSummary[]> {
  return (await findAdapters(gpu)).map((entry) => entry.summary);
}

/** The index of the adapter a name picks: an exact (case-insensitive) match first, else the first that contains it. */
export function matchAdapterName(names: readonly string[], wanted: string): number {
  const lower = wanted.trim().toLowerCase();
  const exact = names.findIndex((name) => name.toLowerCase() === lower);
  return exact >= 0 ? exact : names.findIndex((name) => name.toLowerCase().includes(lower));
}

/** Opens the adapter named `name`, or says which names there are. */
export async function requestNamedAdapter(gpu: GPU, name: string): Promise<GPUAdapter> {
  const found = await findAdapters(gpu);
  const index = matchAdapterName(
    found.map((entry) => entry.summary.name),
    name,
  );
  if (index >= 0) return found[index].adapter;
  const names = found.map((entry) => `"${entry.summary.name}"`).join(', ') || 'none';
  // Worded apart from "No WebGPU adapter" (gpu.info turns that into advice on installing drivers).
  throw new Error(`The GPU adapter "${name}" was not found (found: ${names}). Choose another in the Engine menu, or with --adapter.`);
}

/** GpuContext.open() options for a choice. */
export function adapterOptions(choice: AdapterChoice): { powerPreference?: GPUPowerPreference; adapterName?: string } {
  return typeof choice === 'string' ? { powerPreference: choice } : { adapterName: choice.name };
}

/**
 * The choice the host was started with (PRETRAIN_STUDIO_ADAPTER, set by the app from its settings
 * or by `--adapter`); unset or unreadable means high-performance, the engine's default.
 */
export function adapterChoiceFromEnv(
  text = typeof process !== 'undefined' ? process.env?.PRETRAIN_STUDIO_ADAPTER : undefined,
): AdapterChoice {
  const parsed = adapterChoiceFromText(text);
  return parsed.success ? parsed.output : 'high-performance';
}
