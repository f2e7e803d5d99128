// Runs the built app engine worker (out/engine-window/engine-worker.js) as a forked process whose
// global scope imitates the engine window's Worker: require() (Electron's Node integration in
// workers), navigator.gpu (here Dawn's, as Electron's would be Chromium's), onmessage/close, and a
// MessagePort from its "main process" (this process's IPC, relayed). The worker's exit notice
// becomes this process's exit code, as the engine window launcher turns it into the host's exit.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { runInThisContext } from 'node:vm';
import { create, globals } from 'webgpu';

const bundle = resolve('out/engine-window/engine-worker.js');
Object.assign(globalThis, globals);
// Kept reachable for the life of the process, as src/engine/gpu/dawn.ts does.
const gpu = create([]);
Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });

const scope = globalThis as unknown as {
  onmessage: ((event: { data: unknown; ports: unknown[] }) => void) | null;
  addEventListener(type: string, listener: (event: unknown) => void): void;
  close(): void;
};
scope.addEventListener = (type, listener) => {
  if (type === 'error') process.on('uncaughtException', (error) => listener({ message: error.message, preventDefault() {} }));
  if (type === 'unhandledrejection') process.on('unhandledRejection', (reason) => listener({ reason, preventDefault() {} }));
};
scope.close = () => {};

const wrapper = runInThisContext(`(function (require, module, exports, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`, { filename: bundle });
const module = { exports: {} };
wrapper(createRequire(bundle), module, module.exports, bundle, dirname(bundle));
if (typeof scope.onmessage !== 'function') throw new Error(`${bundle} did not wait for its port`);

const { port1, port2 } = new MessageChannel();
port1.addEventListener('message', (event) => {
  const data = (event as unknown as { data: { type?: string; code?: number } }).data;
  if (data?.type === 'engine.exit') setTimeout(() => process.exit(data.code ?? 1), 10);
  else process.send?.(data);
});
port1.start();
process.on('message', (message) => port1.postMessage(message));
const env = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
scope.onmessage({ data: { type: 'engine.connect', env }, ports: [port2] });
