// One inference pass through a training graph, as every inspector reads a model: each head's
// labels set to IGNORE (no loss to speak of), no dropout, one submission. The caller writes the
// inputs before and reads the activations it wants after.
import type { GpuContext } from '../gpu/device';
import { Recorder } from '../gpu/kernel';
import type { Head } from '../model/heads/head';
import { IGNORE_INDEX as IGNORE } from '../ops/crossentropy';

export async function inferenceForward(ctx: GpuContext, graph: { readonly heads: readonly Head[]; forward(rec: Recorder, train?: boolean): void }): Promise<void> {
  for (const head of graph.heads) for (const t of Object.values(head.inputs)) t.write(new Uint32Array(t.numel).fill(IGNORE));
  const rec = new Recorder(ctx);
  try {
    graph.forward(rec, false);
    await rec.run();
  } finally {
    rec.destroy();
  }
}
