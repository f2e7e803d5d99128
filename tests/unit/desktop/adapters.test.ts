// Choosing the WebGPU adapter: the choice's text form (environment, --adapter) and its validation,
// listing and naming adapters on a stand-in GPU with three different adapters and on the real
// Dawn of this machine, opening by name, the gpu.adapters command through the engine's dispatch,
// and the Engine menu's adapter items.
import { afterEach, describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { adapterChoiceFromEnv, adapterLabel, listAdapters, matchAdapterName } from '../../../src/engine/gpu/adapters.ts';
import { GpuContext, gpuInstance } from '../../../src/engine/gpu/device.ts';
import { HostContext } from '../../../src/engine/host/context.ts';
import { dispatch } from '../../../src/engine/host/dispatch.ts';
import { adapterMenuItems } from '../../../src/main/adapter-menu.ts';
import { adapterChoiceFromText, adapterChoiceToText, AdapterChoiceSchema, commands, type AdapterChoice } from '../../../src/protocol/index.ts';

describe('adapter choice as text', () => {
  it('reads preferences, names and name: prefixes, and round-trips', () => {
    expect(adapterChoiceFromText(undefined)).toMatchObject({ success: true, output: 'high-performance' });
    expect(adapterChoiceFromText('low-power')).toMatchObject({ success: true, output: 'low-power' });
    expect(adapterChoiceFromText('NVIDIA H200')).toMatchObject({ success: true, output: { name: 'NVIDIA H200' } });
    expect(adapterChoiceFromText('name:low-power')).toMatchObject({ success: true, output: { name: 'low-power' } });
    for (const choice of ['high-performance', 'low-power', { name: 'llvmpipe' }] as AdapterChoice[]) {
      expect(adapterChoiceFromText(adapterChoiceToText(choice))).toMatchObject({ success: true, output: choice });
    }
  });

  it('refuses empty or oversized names and unknown shapes', () => {
    expect(adapterChoiceFromText('name:  ').success).toBe(false);
    expect(adapterChoiceFromText('x'.repeat(300)).success).toBe(false);
    expect(v.safeParse(AdapterChoiceSchema, { name: 'a', extra: 1 }).success).toBe(false);
    expect(v.safeParse(AdapterChoiceSchema, 'fastest').success).toBe(false);
    // An unreadable environment value means the default, not a crashed host.
    expect(adapterChoiceFromEnv('name:')).toBe('high-performance');
    expect(adapterChoiceFromEnv('Intel')).toEqual({ name: 'Intel' });
  });
});

/** A GPU with a discrete, an integrated and a CPU adapter, answering requests as a laptop would. */
function laptopGpu(): GPU {
  const adapter = (description: string, vendor: string, isFallbackAdapter = false) =>
    ({ info: { vendor, architecture: '', device: '', description, isFallbackAdapter } }) as unknown as GPUAdapter;
  const discrete = adapter('NVIDIA GeForce RTX 4060 Laptop GPU', 'nvidia');
  const integrated = adapter('Intel(R) Iris(R) Xe Graphics', 'intel');
  const cpu = adapter('SwiftShader Device (Subzero)', 'google', true);
  return {
    requestAdapter: async (options?: GPURequestAdapterOptions) =>
      options?.forceFallbackAdapter ? cpu : options?.powerPreference === 'low-power' ? integrated : discrete,
  } as unknown as GPU;
}

describe('listing and naming adapters', () => {
  it('lists the distinct answers to the three requests', async () => {
    const adapters = await listAdapters(laptopGpu());
    expect(adapters.map((a) => [a.name, a.via, a.isFallbackAdapter])).toEqual([
      ['NVIDIA GeForce RTX 4060 Laptop GPU', ['high-performance'], false],
      ['Intel(R) Iris(R) Xe Graphics', ['low-power'], false],
      ['SwiftShader Device (Subzero)', ['fallback'], true],
    ]);
  });

  it('names an adapter by description, else device, else vendor and architecture', () => {
    expect(adapterLabel({ vendor: 'v', architecture: 'a', device: 'd', description: ' desc ' })).toBe('desc');
    expect(adapterLabel({ vendor: 'v', architecture: 'a', device: 'd', description: '' })).toBe('d');
    expect(adapterLabel({ vendor: 'apple', architecture: 'common-3', device: '', description: '' })).toBe('apple common-3');
  });

  it('prefers an exact name, then the first that contains it', () => {
    const names = ['NVIDIA GeForce RTX 4060', 'Intel Iris', 'nvidia'];
    expect(matchAdapterName(names, 'NVIDIA')).toBe(2);
    expect(matchAdapterName(names, 'geforce')).toBe(0);
    expect(matchAdapterName(names, 'AMD')).toBe(-1);
  });

  it('opens the adapter asked for by name, and lists the names when none matches', async () => {
    const gpu = laptopGpu();
    const requestDevice = async () => ({ lost: new Promise(() => undefined), limits: {} }) as unknown as GPUDevice;
    for (const adapter of [await gpu.requestAdapter(), await gpu.requestAdapter({ powerPreference: 'low-power' })]) {
      Object.assign(adapter!, { features: new Set(), limits: {}, requestDevice });
    }
    const ctx = await GpuContext.open({ gpu, adapterName: 'iris' });
    expect(ctx.report.description).toBe('Intel(R) Iris(R) Xe Graphics');
    const highPerformance = await GpuContext.open({ gpu, powerPreference: 'high-performance' });
    expect(highPerformance.report.description).toContain('NVIDIA');
    await expect(GpuContext.open({ gpu, adapterName: 'Radeon' })).rejects.toThrow(
      /The GPU adapter "Radeon" was not found \(found: "NVIDIA GeForce RTX 4060 Laptop GPU", "Intel\(R\) Iris\(R\) Xe Graphics", "SwiftShader Device \(Subzero\)"\)/,
    );
  });

  it("on this machine's Dawn: lists its adapter and opens it by that name", async () => {
    const adapters = await listAdapters(await gpuInstance());
    expect(adapters.length).toBeGreaterThan(0);
    console.log('adapters found here:', adapters.map((a) => `${a.name} [${a.via.join(', ')}]`).join('; '));
    const ctx = await GpuContext.open({ adapterName: adapters[0].name });
    expect(adapterLabel(ctx.report)).toBe(adapters[0].name);
    ctx.destroy();
  });
});

describe('gpu.adapters through the engine host', () => {
  const saved = process.env.PRETRAIN_STUDIO_ADAPTER;
  afterEach(() => {
    if (saved === undefined) delete process.env.PRETRAIN_STUDIO_ADAPTER;
    else process.env.PRETRAIN_STUDIO_ADAPTER = saved;
  });

  it('answers with a result its schema accepts and the choice the host was started with', async () => {
    process.env.PRETRAIN_STUDIO_ADAPTER = 'low-power';
    const reply = await dispatch({ type: 'gpu.adapters', requestId: 'a1', params: {} }, new HostContext({ assetsDir: undefined }, () => undefined));
    expect(reply.ok).toBe(true);
    const result = v.parse(commands['gpu.adapters'].result, (reply as { result: unknown }).result);
    expect(result.choice).toBe('low-power');
    expect(result.adapters.length).toBeGreaterThan(0);
  });

  it('fails gpu.info with the names found when the chosen adapter is missing', async () => {
    process.env.PRETRAIN_STUDIO_ADAPTER = 'name:No Such GPU 9000';
    const reply = await dispatch({ type: 'gpu.info', requestId: 'a2', params: {} }, new HostContext({ assetsDir: undefined }, () => undefined));
    expect(reply).toMatchObject({ ok: false, error: { message: expect.stringMatching(/The GPU adapter "No Such GPU 9000" was not found \(found: ".+"\)/) } });
  });
});

describe('Engine menu adapter items', () => {
  const adapters = [
    { name: 'NVIDIA RTX', vendor: 'nvidia', architecture: '', description: 'NVIDIA RTX', isFallbackAdapter: false, via: ['high-performance' as const] },
    { name: 'llvmpipe', vendor: 'mesa', architecture: '', description: 'llvmpipe', isFallbackAdapter: true, via: ['low-power' as const, 'fallback' as const] },
  ];

  it('checks the current choice and calls back only for another one', () => {
    const chosen: AdapterChoice[] = [];
    const items = adapterMenuItems(adapters, { name: 'nvidia rtx' }, (choice) => chosen.push(choice));
    const radios = items.filter((item) => item.type === 'radio');
    expect(radios.map((item) => [item.label, item.checked])).toEqual([
      ['High performance (discrete GPU)', false],
      ['Low power (integrated GPU)', false],
      ['NVIDIA RTX (high-performance)', true],
      ['llvmpipe (CPU fallback, low-power)', false],
    ]);
    const click = (label: string) => (radios.find((item) => item.label === label)!.click as () => void)();
    click('NVIDIA RTX (high-performance)');
    click('Low power (integrated GPU)');
    click('llvmpipe (CPU fallback, low-power)');
    expect(chosen).toEqual(['low-power', { name: 'llvmpipe' }]);
  });

  it('keeps a saved name the engine no longer finds, and says it is looking before the engine answers', () => {
    const missing = adapterMenuItems(adapters, { name: 'Radeon' }, () => undefined);
    expect(missing.at(-1)).toMatchObject({ label: 'Radeon (not found)', checked: true, enabled: false });
    const waiting = adapterMenuItems(undefined, 'high-performance', () => undefined);
    expect(waiting.map((item) => item.label)).toContain('Looking for adapters…');
    expect(waiting[0]).toMatchObject({ checked: true });
  });
});
