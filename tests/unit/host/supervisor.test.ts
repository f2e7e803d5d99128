// A real engine host process (the TypeScript entry under tsx) driven through the supervisor and
// router: GPU discovery on the software Vulkan driver, crash mid-command and restart, bad input.
import { afterAll, describe, expect, it } from 'vitest';
import type { GpuInfo, HostState, StudioEvent } from '../../../src/protocol/index.ts';
import { forkLauncher } from '../../../src/main/launch-fork.ts';
import { createRouter } from '../../../src/main/router.ts';
import { EngineSupervisor } from '../../../src/main/supervisor.ts';
import { lavapipeIcds, swiftshaderIcds } from '../../../src/engine/gpu/drivers.ts';

const entry = 'src/engine/host/main.ts';
const launcher = forkLauncher(['--import', 'tsx', '--import', './scripts/register-wgsl.mjs']);
const softwareIcd = lavapipeIcds()[0] ?? swiftshaderIcds()[0];

function waitForState(supervisor: EngineSupervisor, states: HostState['state'][], ms = 60_000): Promise<HostState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no host.state in ${states.join('/')} within ${ms} ms`)), ms);
    const off = supervisor.onEvent((event: StudioEvent) => {
      if (event.type === 'host.state' && states.includes(event.state)) {
        clearTimeout(timer);
        off();
        resolve(event);
      }
    });
  });
}

describe('engine supervisor with a real host process', () => {
  const supervisor = new EngineSupervisor({
    entry,
    launcher,
    assetsDir: 'assets',
    restartDelayMs: 50,
    // A driver that cannot work first: the supervisor must move on to the software driver.
    plan: [
      { kind: 'custom', icd: '/nonexistent/broken_icd.json', label: 'a broken driver' },
      { kind: 'lavapipe', icd: softwareIcd, label: `software (${softwareIcd})` },
    ],
  });
  const route = createRouter(supervisor);
  const events: StudioEvent[] = [];
  supervisor.onEvent((event) => events.push(event));
  afterAll(() => supervisor.stop(2_000));

  it('falls back past a broken driver and reports a CPU adapter', async () => {
    expect(softwareIcd, 'a software Vulkan driver (lavapipe or SwiftShader) must be installed').toBeTruthy();
    const state = await supervisor.start();
    expect(state.state).toBe('ready');
    expect(state.driver).toContain(softwareIcd);
    expect(events.some((e) => e.type === 'host.log' && e.message.includes('a broken driver'))).toBe(true);
    const reply = await route({ type: 'gpu.info', requestId: 'g1', params: {} });
    expect(reply.ok).toBe(true);
    const info = (reply as { result: GpuInfo }).result;
    expect(info.cpuFallback).toBe(true);
    expect(info.driver.icd).toBe(softwareIcd);
    expect(info.limits.maxStorageBuffersPerShaderStage).toBeGreaterThanOrEqual(8);
    expect(info.backend).toBe('Vulkan');
  });

  it('answers bad requests with clear errors and keeps serving', async () => {
    const unknown = await route({ type: 'gpu.nope', requestId: 'u1', params: {} });
    expect(unknown).toMatchObject({ ok: false, requestId: 'u1', error: { name: 'UnknownCommand' } });
    const badParams = await route({ type: 'host.ping', requestId: 'b1', params: { delayMs: 'soon' } });
    expect(badParams).toMatchObject({ ok: false, error: { name: 'InvalidParams' } });
    expect((badParams as { error: { message: string } }).error.message).toContain('delayMs');
    const notObject = await route('host.ping');
    expect(notObject).toMatchObject({ ok: false, error: { name: 'InvalidMessage' } });
    const ping = await route({ type: 'host.ping', requestId: 'p1', params: {} });
    expect(ping).toMatchObject({ ok: true, requestId: 'p1' });
  });

  it('a request without a reply in time fails with Timeout; the host keeps serving', async () => {
    const slow = await supervisor.request('host.ping', { delayMs: 2_000 }, 200);
    expect(slow).toMatchObject({ ok: false, error: { name: 'Timeout' } });
    if (!slow.ok) expect(slow.error.message).toContain('host.ping');
    expect(await supervisor.request('host.ping', {})).toMatchObject({ ok: true });
  });

  it('reports a host killed mid-command and restarts it', async () => {
    const before = supervisor.state.pid;
    expect(before).toBeGreaterThan(0);
    const inFlight = route({ type: 'host.ping', requestId: 'slow', params: { delayMs: 30_000 } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const exited = waitForState(supervisor, ['exited']);
    const ready = waitForState(supervisor, ['ready']);
    process.kill(before!, 'SIGKILL');
    const reply = await inFlight;
    expect(reply).toMatchObject({ ok: false, requestId: 'slow', error: { name: 'HostExited' } });
    expect((reply as { error: { message: string } }).error.message).toContain('SIGKILL');
    expect((await exited).reason).toContain('SIGKILL');
    // Asked while the host is down: waits for the restarted host instead of failing.
    const duringRestart = supervisor.request('host.ping', {});
    const after = await ready;
    expect(after.pid).not.toBe(before);
    expect(await duringRestart).toMatchObject({ ok: true, result: { pid: after.pid } });
    expect(await route({ type: 'host.ping', requestId: 'p2', params: {} })).toMatchObject({ ok: true });
  });

  it('stops the host: asks, waits, and it exits', async () => {
    const pid = supervisor.state.pid!;
    await supervisor.stop(2_000);
    expect(supervisor.state.state).toBe('stopped');
    expect(() => process.kill(pid, 0)).toThrow();
    const reply = await route({ type: 'host.ping', requestId: 'p3', params: {} });
    expect(reply).toMatchObject({ ok: false, error: { name: 'HostUnavailable' } });
  });
});

describe('engine supervisor when no driver works', () => {
  it('fails with advice on what to install, and the host still answers', async () => {
    const supervisor = new EngineSupervisor({
      entry,
      launcher,
      plan: [{ kind: 'custom', icd: '/nonexistent/broken_icd.json', label: 'a broken driver' }],
    });
    try {
      const state = await supervisor.start();
      expect(state.state).toBe('failed');
      expect(state.reason).toMatch(/No WebGPU adapter.*lavapipe.*Chromium/s);
      expect(state.reason).toContain('/nonexistent/broken_icd.json');
      const gpu = await supervisor.request('gpu.info', {});
      expect(gpu).toMatchObject({ ok: false, error: { name: 'NoAdapter' } });
      expect(await supervisor.request('host.ping', {})).toMatchObject({ ok: true });
    } finally {
      await supervisor.stop(2_000);
    }
  });

  it('an explicit driver that is not installed fails at once, naming it', async () => {
    const supervisor = new EngineSupervisor({ entry, launcher, driver: 'swiftshader', env: { HOME: '/nonexistent' }, plan: [] });
    const state = await supervisor.start();
    expect(state.state).toBe('failed');
    expect(state.reason).toMatch(/swiftshader driver was not found/);
  });
});
