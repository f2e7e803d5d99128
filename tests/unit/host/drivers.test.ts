import { describe, expect, it } from 'vitest';
import {
  driverPlan,
  effectiveDriverKind,
  envForDriver,
  gpuInfoOf,
  isCpuAdapter,
  lavapipeVectorWidth,
  missingDriverAdvice,
} from '../../../src/engine/gpu/drivers.ts';

const LVP = '/usr/share/vulkan/icd.d/lvp_icd.json';
const SWS = '/usr/lib/chromium/vk_swiftshader_icd.json';
const both = (path: string) => path === LVP || path === SWS;
const onlySwiftShader = (path: string) => path === SWS;

describe('driverPlan', () => {
  it('auto: real GPU first, then lavapipe, then SwiftShader', () => {
    expect(driverPlan('auto', {}, both).map((c) => [c.kind, c.icd])).toEqual([
      ['native', undefined],
      ['lavapipe', LVP],
      ['swiftshader', SWS],
    ]);
    expect(driverPlan(undefined, {}, onlySwiftShader).map((c) => c.kind)).toEqual(['native', 'swiftshader']);
  });

  it('honours an explicit choice alone: argument, then the setting, then VK_ICD_FILENAMES', () => {
    expect(driverPlan('swiftshader', {}, both)).toEqual([expect.objectContaining({ kind: 'swiftshader', icd: SWS })]);
    expect(driverPlan(undefined, { PRETRAIN_STUDIO_VULKAN_ICD: 'lavapipe' }, both)).toEqual([
      expect.objectContaining({ kind: 'lavapipe', icd: LVP }),
    ]);
    expect(driverPlan('auto', { PRETRAIN_STUDIO_VULKAN_ICD: '/opt/x/my_icd.json' }, both)).toEqual([
      expect.objectContaining({ kind: 'custom', icd: '/opt/x/my_icd.json' }),
    ]);
    expect(driverPlan('auto', { VK_ICD_FILENAMES: SWS }, both)).toEqual([expect.objectContaining({ kind: 'swiftshader' })]);
    expect(driverPlan('native', { VK_ICD_FILENAMES: SWS }, both)).toEqual([expect.objectContaining({ kind: 'native' })]);
  });

  it('an explicit driver that is not installed yields an empty plan (the supervisor says so)', () => {
    expect(driverPlan('lavapipe', {}, onlySwiftShader)).toEqual([]);
  });

  it('sets VK_ICD_FILENAMES only for an ICD candidate', () => {
    const base = { PATH: '/bin', VK_ICD_FILENAMES: '/old.json' };
    expect(envForDriver({ kind: 'native', label: 'n' }, base)).toEqual({ PATH: '/bin' });
    expect(envForDriver({ kind: 'lavapipe', icd: LVP, label: 'l' }, base)).toEqual({ PATH: '/bin', VK_ICD_FILENAMES: LVP });
  });

  it('widens lavapipe to 512-bit SIMD on AVX-512 CPUs, keeping a width the person set', () => {
    expect(lavapipeVectorWidth({}, new Set(['sse2', 'avx2', 'avx512f']))).toBe('512');
    expect(lavapipeVectorWidth({}, new Set(['avx2', 'fma']))).toBeUndefined();
    expect(lavapipeVectorWidth({ LP_NATIVE_VECTOR_WIDTH: '256' }, new Set(['avx512f']))).toBe('256');
  });
});

describe('CPU adapter detection', () => {
  const base = { vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: false };
  it('recognises lavapipe, SwiftShader and fallback adapters; not a real GPU', () => {
    expect(isCpuAdapter({ ...base, vendor: 'mesa', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)' })).toBe(true);
    expect(isCpuAdapter({ ...base, vendor: 'google', architecture: 'swiftshader' })).toBe(true);
    expect(isCpuAdapter({ ...base, isFallbackAdapter: true })).toBe(true);
    expect(isCpuAdapter({ ...base, vendor: 'nvidia', architecture: 'ada', description: 'NVIDIA GeForce RTX 4090' })).toBe(false);
  });
  it('names the driver a native start landed on', () => {
    expect(effectiveDriverKind('native', { ...base, description: 'llvmpipe (LLVM 15)' })).toBe('lavapipe');
    expect(effectiveDriverKind('native', { ...base, vendor: 'amd' })).toBe('native');
    expect(effectiveDriverKind('swiftshader', base)).toBe('swiftshader');
  });
  it("reports Chromium's adapter the way Dawn's is reported, naming where a software driver came from", () => {
    // What Electron's engine worker gets on a machine without a GPU (adapter info as Chromium 156 gives it).
    const report = {
      vendor: 'google', architecture: 'swiftshader', device: '', description: '', driver: 'swiftshader' as const,
      isFallbackAdapter: true, features: ['subgroups', 'timestamp-query'], limits: { maxBufferSize: 1 << 30 },
    };
    const features = { shaderF16: false, subgroups: true, subgroupMinSize: 4, timestampQuery: true };
    const inApp = gpuInfoOf({ report, features }, {}, true);
    expect(inApp).toMatchObject({ cpuFallback: true, subgroups: true, shaderF16: false, limits: { maxBufferSize: 1 << 30 } });
    expect(inApp.driver).toEqual({ kind: 'swiftshader', label: "SwiftShader (in Electron's WebGPU)" });
    expect(gpuInfoOf({ report, features }, {}, false).driver.label).toBe('SwiftShader (system ICD)');
    expect(gpuInfoOf({ report, features }, { VK_ICD_FILENAMES: SWS }, false).driver).toEqual({ kind: 'swiftshader', icd: SWS, label: 'SwiftShader' });
  });
  it('tells a Linux user what to install', () => {
    expect(missingDriverAdvice('linux')).toMatch(/lavapipe.*Chromium/s);
  });
});
