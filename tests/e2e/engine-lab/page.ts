// The page side of tests/e2e/engine-in-chromium.spec.ts and scripts/bench-chromium.ts: opens the
// engine on the page's own navigator.gpu (no Dawn, no Node) and exposes the lab's checks on
// `window.engineLab` for page.evaluate. Goldens are fetched from the test's server.
import { GpuContext } from '../../../src/engine/gpu/device.ts';
import { benchStep } from '../../../src/engine/train/train.bench.ts';
import { BABY_SHAKESPEARE } from '../../../src/engine/model/config.ts';
import { parseGolden } from '../../unit/model/golden-data.ts';
import { attentionCheck, checkGolden, checkpointRoundTrip, trainTiny } from './lab.ts';

let opened: Promise<GpuContext> | undefined;
const gpu = () => (opened ??= GpuContext.open());

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response;
}

async function fetchGolden(name: string) {
  const [json, bytes] = await Promise.all([
    fetchOk(`/goldens/${name}.json`).then((r) => r.text()),
    fetchOk(`/goldens/${name}.safetensors`).then((r) => r.arrayBuffer()),
  ]);
  return parseGolden(name, json, new Uint8Array(bytes));
}

/** Median wall-clock ms of one baby shakespeare_char training step (as `npm run bench` times it). */
async function benchBaby(samples: number): Promise<{ medianMs: number; timesMs: number[] }> {
  const ctx = await gpu();
  const { step, batch } = benchStep(ctx, BABY_SHAKESPEARE, 12);
  try {
    // The first step compiles the pipelines: not timed.
    await step.run([batch], 1e-3);
    await step.flush();
    const timesMs: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      await step.run([batch], 1e-3);
      await step.flush();
      timesMs.push(performance.now() - t0);
    }
    const sorted = [...timesMs].sort((a, b) => a - b);
    return { medianMs: sorted[Math.floor(sorted.length / 2)], timesMs };
  } finally {
    step.destroy();
  }
}

const engineLab = {
  async adapter() {
    const ctx = await gpu();
    return { ...ctx.report, features: ctx.features };
  },
  async golden(name: string) {
    return checkGolden(await gpu(), await fetchGolden(name));
  },
  async train(steps: number) {
    const { losses, gradNorms } = await trainTiny(await gpu(), steps);
    return { losses, gradNorms };
  },
  async checkpoint(steps: number) {
    return checkpointRoundTrip(await gpu(), steps);
  },
  async attention() {
    return attentionCheck(await gpu());
  },
  benchBaby,
};

export type EngineLab = typeof engineLab;
(globalThis as unknown as { engineLab: EngineLab }).engineLab = engineLab;
document.body.dataset.ready = 'true';
