// Shared by the end-to-end tests: a bridge whose engine host keeps its run folders in a fresh
// temporary directory, dropping files on a page, and the tiny run settings (1 layer, 32 wide,
// context 32) that train in seconds on lavapipe.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { startBridge, TestClient, type RunningBridge } from './bridge.ts';

export interface RunsBridge {
  bridge: RunningBridge;
  runsDir: string;
  stop(): Promise<void>;
}

export async function startRunsBridge(label: string): Promise<RunsBridge> {
  const runsDir = mkdtempSync(join(tmpdir(), `studio-${label}-`));
  process.env.PRETRAIN_STUDIO_RUNS = runsDir; // the bridge passes its environment to the engine host
  const bridge = await startBridge();
  return {
    bridge,
    runsDir,
    async stop() {
      await bridge.stop();
      rmSync(runsDir, { recursive: true, force: true });
    },
  };
}

/** One request to the engine host through the bridge; a refusal throws with the command's name. */
export async function askEngine<T>(bridge: RunningBridge, type: string, params: unknown): Promise<T> {
  const client = await TestClient.connect(bridge);
  try {
    const reply = await client.request(type, params);
    if (!reply.ok) throw new Error(`${type}: ${JSON.stringify(reply)}`);
    return reply.result as T;
  } finally {
    client.close();
  }
}

export const TINY_OPTIONS = {
  nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 32, batchSize: 4, steps: 40, evalEvery: 10, evalIters: 2, logEvery: 1,
  warmupSteps: 4, checkpointEvery: 10, sampleTokens: 24,
};

/** Trains a tiny run through the API (not the UI) and waits for it to finish. */
export async function trainTinyRun(bridge: RunningBridge, name: string, sentences: string[], steps = 40): Promise<string> {
  const client = await TestClient.connect(bridge);
  try {
    const reply = await client.request('run.start', { options: { ...TINY_OPTIONS, steps, name }, attention: { every: 10, sentences } });
    if (!reply.ok) throw new Error(`run.start failed: ${JSON.stringify(reply)}`);
    const { runId, runDir } = reply.result as { runId: string; runDir: string };
    await client.next((m) => m.type === 'run.state' && m.runId === runId && ['finished', 'failed'].includes(m.state as string), 120_000);
    // The last snapshot is written after the final checkpoint event.
    await client.next((m) => m.type === 'run.attention' && m.runId === runId && m.step === steps, 60_000);
    return runDir;
  } finally {
    client.close();
  }
}

export async function openPage(page: Page, url: string, label: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: label, exact: true }).click();
}

/** Drops files on the window the way a person's drag does: dragenter, dragover, drop. */
export async function dropFiles(page: Page, files: { name: string; text?: string; bytes?: number[] }[]): Promise<void> {
  await page.evaluate((list) => {
    const data = new DataTransfer();
    for (const f of list) data.items.add(new File([f.bytes ? new Uint8Array(f.bytes) : (f.text ?? '')], f.name));
    const target = document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  }, files);
}
