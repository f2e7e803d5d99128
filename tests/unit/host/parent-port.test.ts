// The engine host under Electron's utilityProcess talks through process.parentPort; imitate it
// (no Electron binary here) and check the host speaks the same protocol through it.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';

describe('engine host over a utilityProcess-style parentPort', () => {
  it('announces itself, answers a request, and exits on shutdown', async () => {
    const child = fork('src/engine/host/main.ts', [], {
      execArgv: ['--import', 'tsx', '--import', './scripts/register-wgsl.mjs', '--import', './tests/unit/host/fake-parent-port.mjs'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const received: { viaParentPort: boolean; message: Record<string, unknown> }[] = [];
    const next = () => new Promise<Record<string, unknown>>((resolve) => {
      child.once('message', (raw) => {
        const wrapped = raw as (typeof received)[number];
        received.push(wrapped);
        resolve(wrapped.message);
      });
    });
    expect(await next()).toEqual({ type: 'host.ready', pid: child.pid });
    const reply = next();
    child.send({ type: 'host.ping', requestId: 'x1', params: {} });
    expect(await reply).toMatchObject({ type: 'reply', requestId: 'x1', ok: true, result: { pid: child.pid } });
    const bad = next();
    child.send({ type: 'host.ping', requestId: 'x2', params: { delayMs: 'no' } });
    expect(await bad).toMatchObject({ ok: false, error: { name: 'InvalidParams' } });
    expect(received.every((r) => r.viaParentPort)).toBe(true);
    child.send({ type: 'host.shutdown' });
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
