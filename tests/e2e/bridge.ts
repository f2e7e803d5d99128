// Starts `npm run serve`'s server (out/main/serve.js) as a real process for one test file, and
// gives tests a raw WebSocket client to talk to it the way a browser page does.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import WebSocket from 'ws';
import { chooseVulkanDriverForTests } from '../vulkan-driver.ts';

export interface RunningBridge {
  url: string;
  port: number;
  token: string;
  process: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

export async function startBridge(): Promise<RunningBridge> {
  // A software Vulkan driver, chosen before the host starts (as the unit tests do), unless the
  // person running the tests asked for their real GPU (PRETRAIN_STUDIO_TEST_DEVICE=native).
  chooseVulkanDriverForTests();
  const child = spawn(process.execPath, ['out/main/serve.js', '--port', '0'], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bridge did not print its URL:\n${output.join('')}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /serving on (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`bridge exited (${code}):\n${output.join('')}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token')!,
    process: child,
    output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}

/** A WebSocket client that collects every message it receives. */
export class TestClient {
  readonly messages: Record<string, unknown>[] = [];
  private waiters: { match: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      this.messages.push(message);
      this.waiters = this.waiters.filter((w) => (w.match(message) ? (w.resolve(message), false) : true));
    });
  }

  static async connect(bridge: RunningBridge): Promise<TestClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/api?token=${bridge.token}`);
    await once(ws, 'open');
    return new TestClient(ws);
  }

  next(match: (m: Record<string, unknown>) => boolean, ms = 30_000): Promise<Record<string, unknown>> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message within ${ms} ms`)), ms);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  /** Sends a request and waits for the reply with the same requestId. */
  async request(type: string, params: unknown, requestId = `t${Math.random().toString(36).slice(2)}`): Promise<Record<string, unknown>> {
    this.ws.send(JSON.stringify({ type, requestId, params }));
    return this.next((m) => m.type === 'reply' && m.requestId === requestId, 70_000);
  }

  close(): void {
    this.ws.close();
  }
}
