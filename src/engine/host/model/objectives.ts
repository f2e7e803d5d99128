// Which objectives the trainer runs, asked of the trainer itself: a TrainingRun is started with
// no corpus in a throwaway runs folder. The trainer refuses an objective it cannot run before it
// touches data ("… is not available yet"); an objective it accepts gets as far as "No corpus given".
// Nothing reaches the GPU either way.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TRAIN_OPTIONS, type Objective } from '../../config/train-config.ts';
import type { GpuContext } from '../../gpu/device.ts';
import { TrainingRun } from '../../trainer/index.ts';

export interface ObjectiveSupport {
  id: Objective;
  available: boolean;
  reason?: string;
}

export const OBJECTIVES: readonly Objective[] = ['clm', 'mlm', 'denoise'];

export async function probeObjective(id: Objective): Promise<ObjectiveSupport> {
  const runsDir = await mkdtemp(join(tmpdir(), 'pretrain-studio-probe-'));
  try {
    // The GPU context is only used after data preparation, which fails first here (no corpus).
    const run = new TrainingRun(null as unknown as GpuContext, { kind: 'new', options: { ...DEFAULT_TRAIN_OPTIONS, objective: id, corpus: [], runsDir, sampleTokens: 0 } });
    await run.start();
    return { id, available: true }; // not expected: with no corpus the run cannot start
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/not available yet/i.test(message)) return { id, available: false, reason: message.replace(/^.*?not available yet:?\s*/i, '') || message };
    return { id, available: true };
  } finally {
    await rm(runsDir, { recursive: true, force: true });
  }
}
