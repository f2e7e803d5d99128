// The Model page's state against the real engine host handlers (a transport that dispatches in
// process): presets from the engine, validation messages, and the TrainOptions it resolves for
// run.start (the preset's other options kept, the corpus page's choices applied).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostContext } from '../../../src/engine/host/context.ts';
import { dispatch } from '../../../src/engine/host/dispatch.ts';
import { validateTrainOptions, DEFAULT_TRAIN_OPTIONS, type TrainOptions } from '../../../src/engine/config/train-config.ts';
import type { StudioEvent, StudioTransport } from '../../../src/protocol/index.ts';

// The renderer's modules belong to the web TypeScript project, the engine's to the node one: this
// test joins them at run time (vitest compiles both), typed by the few members it uses.
type Fields = Record<string, number>;
interface CorpusLike { files: { status: string }[]; importedPaths: string[]; valFraction: number; addPaths(paths: string[]): Promise<void> }
interface ModelLike {
  objectives: { id: string; available: boolean }[];
  preset: string;
  errors: Record<string, string | null>;
  valid: boolean;
  init(): Promise<void>;
  applyPreset(name: string): void;
  set(key: string, value: number): void;
  trainOptions(): Record<string, unknown>;
}
const renderer = '../../../src/renderer';
const { StudioApi } = (await import(/* @vite-ignore */ `${renderer}/api/studio-api.ts`)) as { StudioApi: new (t: StudioTransport) => unknown };
const { CorpusState } = (await import(/* @vite-ignore */ `${renderer}/state/corpus.svelte.ts`)) as { CorpusState: new (api: unknown) => CorpusLike };
const { ModelState, validateField } = (await import(/* @vite-ignore */ `${renderer}/state/model.svelte.ts`)) as {
  ModelState: new (api: unknown, corpus: CorpusLike) => ModelLike;
  validateField: (key: string, value: number, all: Fields) => string | null;
};

let dir: string;
const listeners = new Set<(e: StudioEvent) => void>();
const host = new HostContext({ assetsDir: undefined }, (e) => listeners.forEach((l) => l(e)));
let n = 0;
const transport: StudioTransport = {
  kind: 'electron',
  async request(type, params) {
    const reply = await dispatch({ type, requestId: `s${++n}`, params }, host);
    return reply.ok ? { ok: true, result: reply.result } : { ok: false, error: reply.error };
  },
  onEvent(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'h9-state-'));
});
afterAll(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ModelState', () => {
  it('resolves presets, corpus and edits into options the trainer accepts', async () => {
    const api = new StudioApi(transport);
    const corpus = new CorpusState(api);
    const model = new ModelState(api, corpus);
    await model.init();
    expect(model.objectives.find((o) => o.id === 'clm')?.available).toBe(true);

    await writeFile(join(dir, 'a.txt'), 'one paragraph\n\nanother paragraph\n');
    await corpus.addPaths([join(dir, 'a.txt')]);
    await expect.poll(() => corpus.files[0]?.status).toBe('ok');
    expect(corpus.importedPaths).toEqual([join(dir, 'a.txt')]);

    model.applyPreset('baby-shakespeare-char');
    let o = model.trainOptions();
    expect(o).toMatchObject({ split: 'tail', evalIters: 200, nLayer: 4, nEmbd: 128, tokenizer: 'char', corpus: [join(dir, 'a.txt')] });
    expect(() => validateTrainOptions({ ...DEFAULT_TRAIN_OPTIONS, ...(o as Partial<TrainOptions>) })).not.toThrow();

    model.set('nLayer', 3);
    expect(model.preset).toBe('custom');
    corpus.valFraction = 0.2;
    o = model.trainOptions();
    expect(o).toMatchObject({ nLayer: 3, split: 'tail', valFraction: 0.2 }); // the preset's split stays

    model.set('nHead', 3);
    expect(model.errors.nEmbd).toBe('Must be divisible by the 3 heads.');
    expect(model.valid).toBe(false);
  });

  it('validates each field with a message', () => {
    const all = { nLayer: 2, nHead: 2, nEmbd: 64, blockSize: 64, ffWidth: 0, dropout: 0, lr: 1e-3, minLr: 1e-4, warmupSteps: 20, steps: 300, batchSize: 8, gradAccum: 1, weightDecay: 0.1, gradClip: 1, evalEvery: 50 };
    expect(validateField('dropout', 1, all)).toMatch(/below 1/);
    expect(validateField('minLr', 0.01, all)).toMatch(/not exceed/);
    expect(validateField('warmupSteps', 400, all)).toMatch(/Longer than the whole run/);
    expect(validateField('batchSize', 2.5, all)).toMatch(/whole number/);
    expect(validateField('lr', NaN, all)).toMatch(/Enter a number/);
    expect(validateField('steps', 300, all)).toBeNull();
  });
});
