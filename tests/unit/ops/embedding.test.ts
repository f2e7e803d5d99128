import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { embeddingBackward, embeddingForward, positionEmbeddingBackward, positionEmbeddingForward } from '../../../src/engine/ops/embedding';
import * as ref from '../../../src/engine/reference/embedding';
import { dot, numericalGradient, relError } from '../../../src/engine/reference/fd';
import { expectClose, Pool, randIds, randn } from './helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

test.each([
  [1, 1, 1, 1],
  [2, 3, 17, 5],
  [3, 17, 65, 65],
  [4, 65, 3, 130],
  [2, 130, 33, 1000],
])('token + position gather and scatter-add (B=%i T=%i C=%i V=%i)', async (B, T, C, V) => {
  const pool = new Pool(ctx);
  const N = B * T;
  const ids = randIds(N, V);
  if (N > 2) ids[1] = 0xffffffff; // an ignored / padding id gathers zeros and gets no gradient
  const wte = randn(V * C);
  const wpe = randn(T * C);
  const dOut = randn(N * C);
  const dWteInit = randn(V * C);
  const dWpeInit = randn(T * C);
  const tIds = pool.from(ids, [N]);
  const tWte = pool.from(wte, [V, C]);
  const tWpe = pool.from(wpe, [T, C]);
  const out = pool.empty([N, C]);
  const tdOut = pool.from(dOut, [N, C]);
  const dWte = pool.from(dWteInit, [V, C]);
  const dWpe = pool.from(dWpeInit, [T, C]);
  const rec = new Recorder(ctx);
  embeddingForward(rec, out, tIds, tWte, { N, C, V });
  positionEmbeddingForward(rec, out, tWpe, { B, T, C, accumulate: true });
  embeddingBackward(rec, dWte, tdOut, tIds, { N, C, V });
  positionEmbeddingBackward(rec, dWpe, tdOut, { B, T, C });
  await rec.run();

  const tok = ref.embeddingForward(ids, wte, V, C);
  const pos = ref.embeddingForward(ref.positionIds(B, T), wpe, T, C);
  expectClose('embedding out', await out.read(), tok.map((x, i) => x + pos[i]));
  const gte = ref.embeddingBackward(dOut, ids, V, C);
  const gpe = ref.embeddingBackward(dOut, ref.positionIds(B, T), T, C);
  expectClose('dWte (accumulated)', await dWte.read(), gte.map((x, i) => x + dWteInit[i]));
  expectClose('dWpe (accumulated)', await dWpe.read(), gpe.map((x, i) => x + dWpeInit[i]));

  // Deterministic: a replay accumulates exactly the same increment again, bit for bit.
  const once = await dWte.read();
  await rec.run();
  const twice = await dWte.read();
  const again = new Float32Array(V * C);
  for (let i = 0; i < V * C; i++) again[i] = once[i] + (once[i] - dWteInit[i]);
  expect(relError(twice, again)).toBeLessThan(1e-5);
  rec.destroy();
  pool.free();
});

test('a skewed id distribution over a large vocabulary (one hot id, many chunks)', async () => {
  const pool = new Pool(ctx);
  const N = 1500;
  const C = 7;
  const V = 30000;
  const ids = randIds(N, V);
  for (let i = 0; i < N; i += 3) ids[i] = 42;
  const dOut = randn(N * C);
  const dWte = pool.empty([V, C]);
  const rec = new Recorder(ctx);
  embeddingBackward(rec, dWte, pool.from(dOut, [N, C]), pool.from(ids, [N]), { N, C, V });
  await rec.run();
  expectClose('dWte', await dWte.read(), ref.embeddingBackward(dOut, ids, V, C));
  rec.destroy();
  pool.free();
});

test('the reference backward matches finite differences', () => {
  const V = 5;
  const C = 3;
  const ids = Uint32Array.from([1, 4, 1, 0, 9]);
  const table = Float64Array.from(randn(V * C));
  const w = randn(ids.length * C);
  const numeric = numericalGradient((t) => dot(ref.embeddingForward(ids, t, V, C), w), table);
  expect(relError(ref.embeddingBackward(w, ids, V, C), numeric)).toBeLessThan(1e-7);
});
