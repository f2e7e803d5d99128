// The app's engine host runs in a dedicated Worker of the hidden engine window (Electron is not
// installed here): imitate that worker's global scope and the MessagePort the main process hands
// it, and check the real worker entry speaks the host protocol through its 'worker' ParentPort and
// ends with an exit notice instead of process.exit.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { isWorkerExit, workerParentPort, type WebMessagePort } from '../../../src/engine/host/port';

interface FakeScope {
  onmessage: ((event: { data: unknown; ports: readonly WebMessagePort[] }) => void) | null;
  addEventListener: (type: string, listener: (event: unknown) => void) => void;
  close: () => void;
}

const scope = globalThis as unknown as FakeScope;
const scopeListeners = new Map<string, (event: unknown) => void>();
let closed = 0;
const channel = new MessageChannel();
/** Node's MessagePort is the web one; its typings (no DOM library here) say Event where data is. */
const web = (port: unknown) => port as WebMessagePort;
const dataOf = (event: Event) => (event as unknown as { data: unknown }).data;
const received: unknown[] = [];
let waiters: (() => void)[] = [];

function nextMessage(): Promise<unknown> {
  const count = received.length;
  return new Promise((resolve) => {
    const check = () => (received.length > count ? resolve(received[count]) : waiters.push(check));
    check();
  });
}

beforeAll(async () => {
  scope.addEventListener = (type, listener) => scopeListeners.set(type, listener);
  scope.close = () => closed++;
  channel.port1.addEventListener('message', (event) => {
    received.push(dataOf(event));
    const pending = waiters;
    waiters = [];
    for (const check of pending) check();
  });
  channel.port1.start();
  await import('../../../src/engine/host/worker');
});

afterAll(() => {
  channel.port1.close();
  channel.port2.close();
});

test('the worker host waits for its port, then announces itself, answers and exits by notice', async () => {
  expect(scope.onmessage).toBeTypeOf('function');
  scope.onmessage!({ data: { type: 'something else' }, ports: [] });
  expect(received).toHaveLength(0);

  const ready = nextMessage();
  scope.onmessage!({ data: { type: 'engine.connect', env: { PRETRAIN_STUDIO_RUNS: '/tmp/engine-worker-test-runs', HOME: '/nowhere' } }, ports: [web(channel.port2)] });
  expect(scope.onmessage).toBeNull(); // connected once; later messages are ignored
  expect(await ready).toEqual({ type: 'host.ready', pid: process.pid });
  // Only the host's own settings are taken from the page's message.
  expect(process.env.PRETRAIN_STUDIO_RUNS).toBe('/tmp/engine-worker-test-runs');
  expect(process.env.HOME).not.toBe('/nowhere');
  expect([...scopeListeners.keys()].sort()).toEqual(['error', 'unhandledrejection']);

  const reply = nextMessage();
  channel.port1.postMessage({ type: 'host.ping', requestId: 'w1', params: {} });
  expect(await reply).toMatchObject({ type: 'reply', requestId: 'w1', ok: true, result: { pid: process.pid } });

  const invalid = nextMessage();
  channel.port1.postMessage({ type: 'host.ping', requestId: 'w2', params: { delayMs: 'no' } });
  expect(await invalid).toMatchObject({ type: 'reply', requestId: 'w2', ok: false, error: { name: 'InvalidParams' } });

  const exit = nextMessage();
  channel.port1.postMessage({ type: 'host.shutdown' });
  const notice = await exit;
  expect(isWorkerExit(notice)).toBe(true);
  expect(notice).toEqual({ type: 'engine.exit', code: 0 });
  expect(closed).toBe(1);
});

test('a worker ParentPort delivers in order and says it is one', async () => {
  const { port1, port2 } = new MessageChannel();
  const parent = workerParentPort(web(port2));
  expect(parent.kind).toBe('worker');
  const got: unknown[] = [];
  const done = new Promise<void>((resolve) => parent.onMessage((m) => (got.push(m), got.length === 3 && resolve())));
  for (const n of [1, 2, 3]) port1.postMessage({ n, data: new Float32Array([n]) });
  await done;
  expect(got).toEqual([1, 2, 3].map((n) => ({ n, data: new Float32Array([n]) })));
  const back = new Promise((resolve) => port1.addEventListener('message', (e) => resolve(dataOf(e)), { once: true }));
  port1.start();
  parent.post({ type: 'host.log', level: 'info', message: 'hi' });
  expect(await back).toEqual({ type: 'host.log', level: 'info', message: 'hi' });
  port1.close();
  port2.close();
});

test('isWorkerExit accepts only well-formed exit notices', () => {
  expect(isWorkerExit({ type: 'engine.exit', code: 75, reason: 'device lost' })).toBe(true);
  expect(isWorkerExit({ type: 'engine.exit' })).toBe(false);
  expect(isWorkerExit({ type: 'host.ready', code: 0 })).toBe(false);
  expect(isWorkerExit(null)).toBe(false);
});
