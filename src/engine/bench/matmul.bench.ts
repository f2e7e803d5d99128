// Matmul benchmarks: every variant at 256³, 512³ and 1024³ (NN), the device's tuned choice in the
// NT and TN forms backward uses, and the per-head attention product.
import { Recorder } from '../gpu/kernel';
import { Tensor } from '../gpu/tensor';
import { matmul, matmulFlops } from '../ops/matmul';
import { MATMUL_VARIANTS, variantSupported } from '../ops/matmul-variants';
import { type BenchCase, registerBench } from './registry';

function matmulCase(
  name: string,
  [m, n, k, batch]: [number, number, number, number],
  options: { strategy?: string; transA?: boolean; transB?: boolean },
): BenchCase {
  return {
    name,
    shape: batch > 1 ? `${batch}x${m}x${n}x${k}` : `${m}x${n}x${k}`,
    flops: matmulFlops(m, n, k, batch),
    bytes: 4 * batch * (m * k + k * n + m * n),
    setup(ctx) {
      const a = Tensor.from(ctx, Float32Array.from({ length: batch * m * k }, () => Math.random() - 0.5), options.transA ? [batch, k, m] : [batch, m, k]);
      const b = Tensor.from(ctx, Float32Array.from({ length: batch * k * n }, () => Math.random() - 0.5), options.transB ? [batch, n, k] : [batch, k, n]);
      const out = Tensor.empty(ctx, [batch, m, n]);
      const recorder = new Recorder(ctx);
      matmul(recorder, { out, a, b, ...options, label: `bench.${name}` });
      return {
        recorder,
        dispose() {
          recorder.destroy();
          for (const t of [a, b, out]) t.destroy();
        },
      };
    },
  };
}

registerBench({
  name: 'matmul',
  cases(ctx, { quick }) {
    const sizes = quick ? [256, 512] : [256, 512, 1024];
    const cases: BenchCase[] = [];
    for (const s of sizes) {
      for (const v of MATMUL_VARIANTS) {
        if (v.family === 'naive' && s > 256) continue; // seconds per run on software drivers
        if (!variantSupported(v, ctx.features)) continue;
        cases.push(matmulCase(`${v.name} NN`, [s, s, s, 1], { strategy: v.name }));
      }
      cases.push(matmulCase('auto NN', [s, s, s, 1], {}));
    }
    cases.push(matmulCase('auto NT', [512, 512, 512, 1], { transB: true }));
    cases.push(matmulCase('auto TN', [512, 512, 512, 1], { transA: true }));
    // Baby model shapes: B*T = 768 rows, C = 128; attention 12 x 4 heads, T = 64, head size 32.
    cases.push(matmulCase('auto NN qkv', [768, 384, 128, 1], {}));
    cases.push(matmulCase('auto NN mlp.fc', [768, 512, 128, 1], {}));
    cases.push(matmulCase('auto NT attn.scores', [64, 64, 32, 48], { transB: true }));
    return cases;
  },
});
