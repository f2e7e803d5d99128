// Time of the projector's CPU work on uniform random embeddings (the worst case for PCA: a flat
// spectrum converges slowest; trained embeddings, whose variance falls off, converge sooner).
//
//   node --import tsx scripts/bench-projector.ts
import { cosineNeighbours } from '../src/engine/inspect/neighbours';
import { pca } from '../src/engine/inspect/pca';
import { umapProject } from '../src/engine/inspect/umap';

function randomRows(n: number, d: number): Float32Array {
  let s = 1;
  return Float32Array.from({ length: n * d }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
}

async function main(): Promise<void> {
  for (const [n, d, withUmap] of [[2000, 128, true], [5000, 256, false], [2000, 768, false]] as const) {
    const x = randomRows(n, d);
    let t = performance.now();
    const r = pca(x, n, d, 3);
    const pcaMs = performance.now() - t;
    t = performance.now();
    cosineNeighbours(x, n, d, 0, 10);
    const nnMs = performance.now() - t;
    let umapMs = NaN;
    if (withUmap) {
      t = performance.now();
      await umapProject(x, n, d, 2);
      umapMs = performance.now() - t;
    }
    console.log(`${n} x ${d}: PCA to 3 axes ${pcaMs.toFixed(0)} ms (${r.iterations} iterations, converged ${r.converged}); 10 neighbours ${nnMs.toFixed(1)} ms; UMAP to 2D ${Number.isNaN(umapMs) ? '-' : `${umapMs.toFixed(0)} ms`}`);
  }
}

void main();
