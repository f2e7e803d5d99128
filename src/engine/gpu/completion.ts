// Waiting for the GPU without Dawn's busy-poll. Dawn's Node bindings keep the main thread spinning
// (setImmediate after setImmediate) while any of its promises (mapAsync, onSubmittedWorkDone) is
// pending. On a GPU that only wastes a core; on a CPU driver it takes the core from the kernels:
// measured on lavapipe, the main thread at 100% and lavapipe's two workers at 50% each, a training
// step ~1.5x slower. So work that repeats (a replayed step, an evaluation batch) sleeps on a timer
// until shortly before its expected finish, learnt from the runs before it, and asks Dawn only then.

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** When submitted work should finish: the GPU runs submissions in order, each taking about stepMs. */
export class CompletionEstimate {
  /** Moving average of one submission's GPU time; 0 until measured (then nothing sleeps). */
  stepMs = 0;
  private lastDone = 0;

  /** When work submitted at `submittedAt` should be done, after what was queued before it. */
  expectedDone(submittedAt: number): number {
    return Math.max(submittedAt, this.lastDone) + this.stepMs;
  }

  /**
   * Dawn was asked at `askedAt` and answered at `doneAt`. If it answered only after a wait, doneAt
   * is when the GPU finished: a measurement. If at once, the work had finished earlier than
   * expected: shrink the estimate so the next one is asked sooner.
   */
  observe(submittedAt: number, askedAt: number, doneAt: number): void {
    const start = Math.max(submittedAt, this.lastDone);
    if (doneAt - askedAt > 1) {
      const ms = doneAt - start;
      this.stepMs = this.stepMs === 0 ? ms : 0.7 * this.stepMs + 0.3 * ms;
    } else {
      this.stepMs *= 0.9;
    }
    this.lastDone = doneAt;
  }
}

/**
 * Sleeps until a little before the work submitted at `submittedAt` should finish (so the busy-poll
 * covers only the last stretch), then runs `ask` (the Dawn call that waits) and learns from it.
 */
export async function awaitQuietly<T>(estimate: CompletionEstimate, submittedAt: number, ask: () => Promise<T>): Promise<T> {
  const wake = estimate.expectedDone(submittedAt) - (0.1 * estimate.stepMs + 1);
  const now = performance.now();
  if (wake > now) await sleep(wake - now);
  const askedAt = performance.now();
  const result = await ask();
  estimate.observe(submittedAt, askedAt, performance.now());
  return result;
}
