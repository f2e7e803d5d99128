// Quiet logs: the engine log file's size cap, Dawn's limit notice kept once per session by the
// supervisor across engine host restarts (real host processes on this machine's software Vulkan
// driver, which print it on every start), and once per process where the engine runs in-process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lavapipeIcds, swiftshaderIcds } from '../../../src/engine/gpu/drivers.ts';
import { EngineLog, OncePerSession } from '../../../src/main/engine-log.ts';
import { forkLauncher } from '../../../src/main/launch-fork.ts';
import { EngineSupervisor } from '../../../src/main/supervisor.ts';

const NOTICE = /maxDynamicUniformBuffersPerPipelineLayout artificially reduced/;

describe('EngineLog', () => {
  it('appends timestamped lines and keeps at most the cap plus one previous file', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'engine-log-')), 'logs');
    const log = new EngineLog(dir, 1_000);
    log.write('info', 'Engine ready (lavapipe)\n', new Date('2026-12-04T18:00:00Z'));
    expect(readFileSync(log.path, 'utf8')).toBe('2026-12-04T18:00:00.000Z info   Engine ready (lavapipe)\n');
    for (let i = 0; i < 100; i++) log.write('output', `line ${i} ${'x'.repeat(40)}`);
    expect(statSync(log.path).size).toBeLessThanOrEqual(1_000);
    expect(statSync(log.previousPath).size).toBeLessThanOrEqual(1_000);
    expect(readFileSync(log.path, 'utf8')).toContain('line 99 ');
    // A new session appends to the same file and still respects the cap.
    const again = new EngineLog(dir, 1_000);
    for (let i = 0; i < 30; i++) again.write('warn', `again ${i} ${'y'.repeat(40)}`);
    expect(statSync(again.path).size).toBeLessThanOrEqual(1_000);
  });
});

describe('OncePerSession', () => {
  it("keeps Dawn's limit notices the first time only, whatever the numbers, and everything else always", () => {
    const once = new OncePerSession();
    const uniform = 'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.';
    const storage = uniform.replace('Uniform', 'Storage');
    expect([once.keep(uniform), once.keep(storage), once.keep(uniform), once.keep(uniform.replace('16', '8')), once.keep(storage)]).toEqual([true, true, false, false, false]);
    expect([once.keep('MESA: error: something else'), once.keep('MESA: error: something else')]).toEqual([true, true]);
  });
});

describe("Dawn's limit notice", () => {
  const icd = lavapipeIcds()[0] ?? swiftshaderIcds()[0];
  const output: string[] = [];
  const supervisor = new EngineSupervisor({
    entry: 'src/engine/host/main.ts',
    launcher: forkLauncher(['--import', 'tsx', '--import', './scripts/register-wgsl.mjs']),
    plan: [{ kind: 'lavapipe', icd, label: `software (${icd})` }],
    onOutput: (line) => output.push(line),
  });
  afterAll(() => supervisor.stop(2_000));

  it('reaches the engine log once per session across host restarts', async () => {
    expect((await supervisor.start()).state).toBe('ready');
    expect((await supervisor.restart()).state).toBe('ready');
    expect((await supervisor.request('gpu.adapters', {})).ok).toBe(true);
    // Both hosts printed it (a fresh Dawn in each process): the supervisor passed on the first.
    expect(output.filter((line) => NOTICE.test(line))).toHaveLength(1);
  });

  it('is printed at most once by a process that opens two devices and lists adapters', () => {
    const script = [
      "import { useDawn } from './src/engine/gpu/dawn.ts';",
      "import { GpuContext } from './src/engine/gpu/device.ts';",
      "import { listAdapters } from './src/engine/gpu/adapters.ts';",
      "import { gpuInstance } from './src/engine/gpu/device.ts';",
      'useDawn();',
      '(await GpuContext.open()).destroy();',
      "(await GpuContext.open({ powerPreference: 'low-power' })).destroy();",
      'await listAdapters(await gpuInstance());',
      "console.log('opened twice');",
      'process.exit(0);',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, VK_ICD_FILENAMES: icd },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stdout).toContain('opened twice');
    expect(run.stderr.split('\n').filter((line) => NOTICE.test(line)).length).toBeLessThanOrEqual(1);
  });
});
