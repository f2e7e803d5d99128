// Time per optimizer step of a shape on this adapter: the trainer's TrainStep (forward, backward,
// grad norm, AdamW as one recorded trace) on random ids, one warm-up step, then replays timed
// until `steps` are done or `maxMs` has passed. Only one measurement at a time.
import type { ModelShape } from '../../../protocol/commands/model-schemas.ts';
import { mulberry32 } from '../../data/index.ts';
import type { GpuContext } from '../../gpu/device.ts';
import { TrainStep, type MicroBatch } from '../../train/step.ts';
import { initParams } from '../../train/index.ts';
import { batchOf, layoutOf } from './shape.ts';

export interface Measurement {
  msPerStep: number;
  tokensPerSecond: number;
  steps: number;
  buildMs: number;
  params: number;
}

let busy = false;

export async function measureStep(ctx: GpuContext, shape: ModelShape, steps: number, maxMs: number): Promise<Measurement> {
  if (busy) throw new Error('model.measure: a measurement is already running; wait for it');
  busy = true;
  let step: TrainStep | null = null;
  try {
    const layout = layoutOf(shape);
    const t0 = performance.now();
    step = new TrainStep(ctx, layout, {
      batch: batchOf(shape),
      microSteps: shape.gradAccum,
      adamw: { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 },
      gradClip: 1,
    });
    step.setParams(initParams(layout, 1));
    const rng = mulberry32(7);
    const batches: MicroBatch[] = Array.from({ length: shape.gradAccum }, () =>
      Object.fromEntries(Object.entries(step!.graph.inputs).map(([name, t]) => {
        const ids = new Uint32Array(t.numel);
        // Token ids and targets: random ids; segment ids and NSP labels: 0/1; key lengths: full rows.
        const fill = name === 'kvLen' ? () => shape.blockSize : /type|nsp/i.test(name) ? () => rng.int(2) : /ids|idx|targets|labels/i.test(name) ? () => rng.int(shape.vocabSize) : () => 0;
        for (let i = 0; i < ids.length; i++) ids[i] = fill();
        return [name, ids];
      })));
    await step.run(batches, 1e-4, 1);
    await step.flush();
    const buildMs = performance.now() - t0;
    const start = performance.now();
    let done = 0;
    while (done < steps) {
      await step.run(batches, 1e-4, 1);
      done++;
      if (performance.now() - start > maxMs) break;
    }
    await step.flush();
    const ms = (performance.now() - start) / done;
    const tokens = shape.batchSize * shape.blockSize * shape.gradAccum;
    return { msPerStep: ms, tokensPerSecond: tokens / (ms / 1000), steps: done, buildMs, params: layout.count };
  } finally {
    step?.destroy();
    busy = false;
  }
}
