// The desktop app's engine wiring. With Electron installed: the app starts its engine in a hidden
// window's worker on Electron's own WebGPU, routes commands to it, and restarts it after its
// process crashes, with the app window unharmed. Without Electron (these build machines): the same
// built worker bundle, in a process that imitates the engine window's worker scope, is started,
// probed, crashed and stopped by the real supervisor, with commands that read GPU results back;
// and the built page, in Chromium, starts its worker under its CSP and reports one that fails.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { expect, _electron as electron, test } from '@playwright/test';
import { forkLauncher } from '../../src/main/launch-fork.ts';
import { EngineSupervisor } from '../../src/main/supervisor.ts';
import type { HostState } from '../../src/protocol/index.ts';
import { chooseVulkanDriverForTests } from '../vulkan-driver.ts';
import { electronBinary } from './electron-binary.ts';

test.describe.configure({ timeout: 180_000 });

const TINY = { objective: 'clm', vocabSize: 67, nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 16, ffWidth: 0, dropout: 0, bias: false, batchSize: 2, gradAccum: 1 } as const;

test("the app runs its engine in a hidden window's worker on Electron's WebGPU", async () => {
  const binary = electronBinary();
  if (binary.skip) console.log(`Electron engine-window test SKIPPED: ${binary.skip}.`);
  test.skip(!binary.path, `Electron engine-window test skipped: ${binary.skip}`);

  // Chromium's own SwiftShader: works with or without a GPU on the test machine.
  const app = await electron.launch({
    executablePath: binary.path,
    args: ['.'],
    env: { ...process.env, PRETRAIN_STUDIO_VULKAN_ICD: 'swiftshader' } as Record<string, string>,
  });
  try {
    const page = await app.firstWindow();
    await expect(page.getByTestId('engine-state')).toContainText('Engine ready', { timeout: 90_000 });

    const windows = () =>
      app.evaluate(({ BrowserWindow }) =>
        BrowserWindow.getAllWindows().map((w) => ({
          visible: w.isVisible(),
          url: w.webContents.getURL(),
          pid: w.webContents.getOSProcessId(),
          prefs: (w.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> }).getLastWebPreferences(),
        })),
      );
    const before = await windows();
    const engine = before.find((w) => !w.visible);
    expect(engine?.url).toMatch(/\/engine-window\/index\.html$/);
    expect(engine?.prefs).toMatchObject({ contextIsolation: true, nodeIntegration: false, nodeIntegrationInWorker: true });
    expect(before.filter((w) => w.visible)).toHaveLength(1);

    // The engine page itself has no Node; only its worker does.
    const enginePage = app.windows().find((p) => p.url().endsWith('/engine-window/index.html'))!;
    expect(await enginePage.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');

    type Outcome = { ok: boolean; result?: Record<string, unknown>; error?: { message: string } };
    const request = (type: string, params: unknown) =>
      page.evaluate(
        ([t, p]) => (globalThis as unknown as { studio: { request(t: string, p: unknown): Promise<unknown> } }).studio.request(t, p),
        [type, params] as const,
      ) as Promise<Outcome>;
    const ping = await request('host.ping', {});
    expect(ping.ok).toBe(true);
    expect(ping.result?.pid).toBe(engine?.pid);
    const info = await request('gpu.info', {});
    expect(info.ok, info.error?.message).toBe(true);
    expect(String(info.result?.architecture)).toMatch(/swiftshader/i);
    // Reads GPU results back (the step's metrics): what Dawn's Node bindings could not do here.
    const measured = await request('model.measure', { shape: TINY, steps: 2, maxMs: 20_000 });
    expect(measured.ok, measured.error?.message).toBe(true);
    expect(Number(measured.result?.msPerStep)).toBeGreaterThan(0);

    // A crashed engine process is reported and replaced; the app window stays.
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().find((w) => !w.isVisible())!.webContents.forcefullyCrashRenderer());
    await expect(page.getByTestId('engine-state')).toContainText('Engine ready', { timeout: 90_000 });
    const after = await windows();
    expect(after.filter((w) => w.visible)).toHaveLength(1);
    expect((await request('host.ping', {})).ok).toBe(true);
  } finally {
    await app.close();
  }
});

test('the built engine worker is a host the supervisor starts, probes, restarts and stops (no Electron needed)', async () => {
  chooseVulkanDriverForTests();
  const supervisor = new EngineSupervisor({
    entry: 'tests/e2e/engine-lab/worker-bundle-host.ts',
    launcher: forkLauncher(['--import', 'tsx']),
    readyTimeoutMs: 60_000,
    restartDelayMs: 100,
  });
  const states: HostState[] = [];
  supervisor.onEvent((event) => {
    if (event.type === 'host.state') states.push(event);
  });
  const t0 = Date.now();
  const log = (what: string) => console.log(`${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  try {
    const started = await supervisor.start();
    log(`worker bundle host ready (${started.driver})`);
    expect(started.state, started.reason).toBe('ready');
    const pid = started.pid;

    const ping = await supervisor.request('host.ping', {});
    expect(ping).toMatchObject({ ok: true, result: { pid } });
    const info = await supervisor.request('gpu.info', {});
    expect(info.ok).toBe(true);
    // The bundle opened its device on navigator.gpu (the worker's GPU entry), reading results back:
    const measured = await supervisor.request('model.measure', { shape: TINY, steps: 2, maxMs: 20_000 });
    if (!measured.ok) throw new Error(measured.error.message);
    expect((measured.result as { msPerStep: number }).msPerStep).toBeGreaterThan(0);
    log(`model.measure: ${(measured.result as { msPerStep: number }).msPerStep.toFixed(1)} ms/step`);

    // A host that dies is reported with a reason and replaced.
    process.kill(pid!, 'SIGKILL');
    await expect.poll(() => supervisor.state.state === 'ready' && supervisor.state.pid !== pid, { timeout: 60_000 }).toBe(true);
    expect(states.some((s) => s.state === 'exited' && /SIGKILL/.test(s.reason ?? ''))).toBe(true);
    expect((await supervisor.request('host.ping', {})).ok).toBe(true);
    log('restarted after SIGKILL');

    // host.shutdown: the worker says it exits (code 0) instead of calling process.exit.
    await supervisor.stop(10_000);
    expect(supervisor.state.state).toBe('stopped');
  } finally {
    await supervisor.stop(1_000);
  }
});

test("the engine window's page starts its worker under its CSP, and reports a worker that cannot start", async ({ page }) => {
  // The built page (out/engine-window/) in plain Chromium: the preload's part is played by the test,
  // and the worker, without Electron's Node integration, fails at its first require(): exactly what
  // the page must report on its control port (the launcher then ends and restarts the host).
  const dir = join('out', 'engine-window');
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
  const server = createServer((req, res) => {
    const path = normalize(new URL(req.url ?? '/', 'http://127.0.0.1').pathname).replace(/^\/+/, '');
    try {
      res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(join(dir, path)));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  try {
    await page.goto(`http://127.0.0.1:${port}/index.html`);
    // Its CSP refuses inline script (only its own files run).
    await expect(page.addScriptTag({ content: 'window.inlineRan = true' })).rejects.toThrow();
    expect(await page.evaluate(() => (globalThis as { inlineRan?: boolean }).inlineRan)).toBeUndefined();

    const notice = await page.evaluate(
      () =>
        new Promise<unknown>((resolve, reject) => {
          const engine = new MessageChannel();
          const control = new MessageChannel();
          control.port1.onmessage = (event) => resolve(event.data);
          setTimeout(() => reject(new Error('no notice on the control port within 20 s')), 20_000);
          // A connect message with the wrong ports is ignored; the page takes the first well-formed one.
          window.postMessage({ type: 'engine:connect', settings: { env: {} } }, '*', [engine.port2]);
          window.postMessage({ type: 'engine:connect', settings: { env: {} } }, '*', [new MessageChannel().port2, control.port2]);
        }),
    );
    expect(notice).toMatchObject({ type: 'engine.exit', code: 70 });
    expect((notice as { reason: string }).reason).toMatch(/crashed in its worker: .*require/);
  } finally {
    server.close();
  }
});
