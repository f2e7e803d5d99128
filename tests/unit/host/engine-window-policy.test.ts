// The app's engine window: which Chromium switches each Vulkan driver choice becomes, and which
// URLs the window may load (no Electron needed for either).
import { describe, expect, test } from 'vitest';
import { chromiumGpuSetup, isEngineWindowUrl } from '../../../src/main/engine-window-policy';

const LVP = '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json';
const withLavapipe = (path: string) => path === LVP;
const nothing = () => false;

describe('driver choice → Chromium switches', () => {
  test('auto on Linux: WebGPU on Vulkan, and Chromium finds the GPU or falls back to its SwiftShader', () => {
    const setup = chromiumGpuSetup('auto', 'linux', {}, nothing);
    expect(setup.switches).toEqual([['enable-unsafe-webgpu'], ['enable-features', 'Vulkan'], ['disable-dawn-features', 'timestamp_quantization']]);
    expect(setup.env).toEqual({});
    expect(setup.candidate.kind).toBe('native');
    expect(setup.warning).toBeUndefined();
  });

  test('swiftshader: the adapter switch Chromium offers for it', () => {
    const setup = chromiumGpuSetup('swiftshader', 'linux', {}, nothing);
    expect(setup.switches).toContainEqual(['use-webgpu-adapter', 'swiftshader']);
    expect(setup.candidate).toMatchObject({ kind: 'swiftshader' });
    expect(setup.env).toEqual({});
  });

  test('lavapipe: its ICD in VK_ICD_FILENAMES before the GPU process starts, with a plain warning', () => {
    const setup = chromiumGpuSetup('lavapipe', 'linux', {}, withLavapipe);
    expect(setup.env).toEqual({ VK_ICD_FILENAMES: LVP });
    expect(setup.switches).toContainEqual(['use-vulkan', 'native']);
    expect(setup.candidate).toMatchObject({ kind: 'lavapipe', icd: LVP });
    expect(setup.warning).toMatch(/lavapipe/);
  });

  test('lavapipe missing: auto, saying so', () => {
    const setup = chromiumGpuSetup('lavapipe', 'linux', {}, nothing);
    expect(setup.env).toEqual({});
    expect(setup.candidate.kind).toBe('native');
    expect(setup.warning).toMatch(/not found/);
  });

  test('PRETRAIN_STUDIO_VULKAN_ICD and VK_ICD_FILENAMES are honoured when the choice is auto', () => {
    expect(chromiumGpuSetup('auto', 'linux', { PRETRAIN_STUDIO_VULKAN_ICD: 'swiftshader' }, nothing).candidate.kind).toBe('swiftshader');
    const custom = chromiumGpuSetup(undefined, 'linux', { VK_ICD_FILENAMES: '/opt/vk/my_icd.json' }, nothing);
    expect(custom.env).toEqual({ VK_ICD_FILENAMES: '/opt/vk/my_icd.json' });
    expect(custom.candidate).toMatchObject({ kind: 'custom', icd: '/opt/vk/my_icd.json' });
  });

  test('macOS and Windows: only exact timestamps (WebGPU ships there), a Linux-only choice is refused aloud', () => {
    expect(chromiumGpuSetup('auto', 'darwin', {}, nothing)).toMatchObject({ switches: [['disable-dawn-features', 'timestamp_quantization']], env: {}, warning: undefined });
    expect(chromiumGpuSetup('lavapipe', 'win32', {}, nothing).warning).toMatch(/Linux only/);
  });
});

describe('engine window URLs', () => {
  const dir = 'file:///opt/studio/out/engine-window/';
  test('its own files only', () => {
    expect(isEngineWindowUrl(`${dir}index.html`, dir)).toBe(true);
    expect(isEngineWindowUrl(`${dir}assets/index-1.js`, dir)).toBe(true);
    expect(isEngineWindowUrl(`${dir}engine-worker.js`, dir)).toBe(true);
  });
  test('nothing else: other folders, .. escapes, other schemes, garbage', () => {
    expect(isEngineWindowUrl('file:///opt/studio/out/renderer/index.html', dir)).toBe(false);
    expect(isEngineWindowUrl(`${dir}../main/index.js`, dir)).toBe(false);
    expect(isEngineWindowUrl(`${dir}%2e%2e/main/index.js`, dir)).toBe(false);
    expect(isEngineWindowUrl('https://example.com/engine-window/index.html', dir)).toBe(false);
    expect(isEngineWindowUrl('devtools://devtools/bundled/inspector.html', dir)).toBe(false);
    expect(isEngineWindowUrl('not a url', dir)).toBe(false);
    expect(isEngineWindowUrl(`${dir}index.html`, 'file:///opt/studio/out/engine-window')).toBe(false);
  });
});
