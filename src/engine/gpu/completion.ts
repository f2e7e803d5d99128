// Waiting for the GPU without Dawn's busy-poll. Dawn's Node bindings keep the main thread spinning
// (setImmediate after setImmediate) while any of its promises (mapAsync, onSubmittedWorkDone) is
// pending. On a GPU that only wastes a core; on a CPU driver it takes the core from the kernels:
// measured on lavapipe, the main thread at 100% and lavapipe's two workers at 50% each, a training
// step ~1.5x slower. So work that repeats (a replayed step, an evaluation batch) sleeps on a timer
// until shortly before its expected finish, learnt from the runs before it, and asks Dawn only then.

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** When submitted work should finish: the GPU runs submissions in order, each taking about stepMs. */
export class CompletionEstimate {
  /** One submission's GPU time; 0 until measured (then nothing sleeps). */
  stepMs = 0;
  private lastDone = 0;
  private seen = 0;

  /** When work submitted at `submittedAt` should be done, after what was queued before it. */
  expectedDone(submittedAt: number): number {
    return Math.max(submittedAt, this.lastDone) + this.stepMs;
  }

  /**
   * Dawn was asked at `askedAt` and answered at `doneAt`. If it answered only after a wait, doneAt
   * is when the GPU finished: a measurement. If at once, the work had finished before askedAt: we
   * slept too long, so the estimate at least halves. The first run is not learnt from (it pays for
   * pipeline compilation, seconds on a CPU driver), and a faster measurement is taken at once while
   * a slower one moves the estimate gradually, so one slow run cannot make the next ones oversleep.
   */
  observe(submittedAt: number, askedAt: number, doneAt: number): void {
    const start = Math.max(submittedAt, this.lastDone);
    this.lastDone = doneAt;
    if (this.seen++ === 0) return;
    if (doneAt - askedAt > 1) {
      const ms = doneAt - start;
      this.stepMs = this.stepMs === 0 || ms < this.stepMs ? ms : 0.7 * this.stepMs + 0.3 * ms;
    } else {
      this.stepMs = Math.min(0.5 * this.stepMs, Math.max(0, askedAt - start));
    }
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
