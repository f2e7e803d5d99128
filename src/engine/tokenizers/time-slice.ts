// Cooperative time slicing: long loops on the engine host's thread call `await slicer.tick()`
// often; it yields to the event loop (setImmediate) once `budgetMs` of work has passed, so
// commands and progress messages keep flowing while a corpus is tokenized.

export class TimeSlicer {
  private last = performance.now();
  private calls = 0;
  constructor(private readonly budgetMs = 10) {}
  async tick(): Promise<void> {
    // Reading the clock on every call cost more than the work in tight per-document loops.
    if ((++this.calls & 15) !== 0 || performance.now() - this.last < this.budgetMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }
}
