// The incremental-decoding kernels against float64 references on fresh random inputs, sizes that
// are not multiples of the 64-wide workgroups (head size 3 and 17, cache lengths 1 and 65), and
// several rows fed at once at an offset (the prefill path) as well as one (the decode path).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { decodeAttention, decodeCrossAttention, decodeEmbed, decodeKvAppend, decodeLayernorm, decodeMatvec } from '../../../src/engine/ops/decode';
import { attentionForward } from '../../../src/engine/reference/attention';
import { geluForward } from '../../../src/engine/reference/gelu';
import { layernormForward } from '../../../src/engine/reference/layernorm';
import { erf, maxRelError, testRng } from './reference-gpt';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

const rand = testRng(1234);
const randn = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
const stepOf = (pos0: number, tokens: number[]) => Tensor.from(ctx, Uint32Array.from([pos0, tokens.length, ...tokens]), [2 + tokens.length]);

// Causal attention of `rows` new queries at positions pos0.. over a cache already holding pos0
// older positions: the kernel result must equal full attention's last rows.
for (const [H, D, pos0, rows, maxT] of [
  [1, 3, 0, 1, 1], [2, 3, 64, 1, 65], [3, 17, 64, 1, 70], [2, 17, 0, 5, 9], [4, 5, 60, 5, 65], [1, 80, 10, 3, 13],
] as const) {
  test(`decode kv_append + attention: H ${H}, D ${D}, pos0 ${pos0}, rows ${rows}, maxT ${maxT}`, async () => {
    const C = H * D;
    const T = pos0 + rows;
    // Full q, k, v [T, C]; the cache gets the first pos0 positions of k, v directly, the last
    // rows arrive through qkv as the decoder produces them.
    const q = randn(T * C), k = randn(T * C), v = randn(T * C);
    const kc0 = new Float32Array(H * maxT * D).fill(NaN), vc0 = new Float32Array(H * maxT * D).fill(NaN);
    for (let t = 0; t < pos0; t++) for (let c = 0; c < C; c++) {
      const dst = (Math.floor(c / D) * maxT + t) * D + (c % D);
      kc0[dst] = k[t * C + c];
      vc0[dst] = v[t * C + c];
    }
    const qkv = new Float32Array(rows * 3 * C);
    for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) {
      qkv[r * 3 * C + c] = q[(pos0 + r) * C + c];
      qkv[r * 3 * C + C + c] = k[(pos0 + r) * C + c];
      qkv[r * 3 * C + 2 * C + c] = v[(pos0 + r) * C + c];
    }
    const step = stepOf(pos0, Array(rows).fill(0));
    const kc = Tensor.from(ctx, kc0, [H, maxT, D]), vc = Tensor.from(ctx, vc0, [H, maxT, D]);
    const qkvT = Tensor.from(ctx, qkv, [rows, 3 * C]);
    const y = Tensor.empty(ctx, [rows, C]);
    const scores = Tensor.empty(ctx, [rows, H, maxT]);
    const rec = new Recorder(ctx);
    decodeKvAppend(rec, kc, vc, step, qkvT, rows, C, D, maxT);
    decodeAttention(rec, y, scores, step, qkvT, kc, vc, rows, C, D, maxT);
    await rec.run();
    const got = await y.read();

    const heads = (a: Float32Array) => {
      const out = new Float64Array(H * T * D);
      for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) out[(Math.floor(c / D) * T + t) * D + (c % D)] = a[t * C + c];
      return out;
    };
    const { out } = attentionForward(heads(q), heads(k), heads(v), { B: 1, H, Tq: T, Tk: T, D, causal: true });
    const want = new Float64Array(rows * C);
    for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) want[r * C + c] = out[(Math.floor(c / D) * T + pos0 + r) * D + (c % D)];
    const err = maxRelError(got, want);
    expect(err).toBeLessThan(1e-4);
    // The appended rows are in the cache where the next step will look for them.
    const kcGot = await kc.read();
    for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) {
      expect(kcGot[(Math.floor(c / D) * maxT + pos0 + r) * D + (c % D)]).toBe(k[(pos0 + r) * C + c]);
    }
    for (const t of [rec, step, kc, vc, qkvT, y, scores]) t.destroy();
  });
}

for (const variant of ['scalar', 'vec4'] as const) test(`decode matvec (${variant}): Conv1D [K, N] and Linear [N, K] layouts, bias, GELU, residual accumulate, rows past nRows untouched`, async () => {
  const sizes = variant === 'scalar' ? [[1, 1, 1, 1], [17, 65, 3, 2], [130, 3, 4, 4]] : [[4, 4, 1, 1], [20, 68, 3, 2], [132, 260, 2, 2], [3, 8, 1, 1]];
  for (const [K, N, R, nRows] of sizes) {
    const layouts = variant === 'vec4' && K % 4 !== 0 ? (['kn'] as const) : (['kn', 'nk'] as const);
    const x = randn(R * K), Wkn = randn(K * N), b = randn(N), y0 = randn(R * N);
    const Wnk = new Float32Array(N * K);
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) Wnk[n * K + k] = Wkn[k * N + n];
    const ref = (r: number, n: number, bias: boolean) => {
      let s = bias ? b[n] : 0;
      for (let k = 0; k < K; k++) s += x[r * K + k] * Wkn[k * N + n];
      return s;
    };
    const step = stepOf(0, Array(nRows).fill(0));
    const xT = Tensor.from(ctx, x, [R, K]), wkn = Tensor.from(ctx, Wkn, [K, N]), wnk = Tensor.from(ctx, Wnk, [N, K]), bT = Tensor.from(ctx, b, [N]);
    const yPlain = Tensor.from(ctx, y0, [R, N]), yGelu = Tensor.from(ctx, y0, [R, N]), yAcc = Tensor.from(ctx, y0, [R, N]), yNk = Tensor.from(ctx, y0, [R, N]);
    const rec = new Recorder(ctx);
    decodeMatvec(rec, yPlain, step, xT, wkn, 'kn', R, K, N, { variant });
    decodeMatvec(rec, yGelu, step, xT, wkn, 'kn', R, K, N, { bias: bT, activation: 'gelu_tanh', variant });
    decodeMatvec(rec, yAcc, step, xT, wkn, 'kn', R, K, N, { bias: bT, accumulate: true, variant });
    if (layouts.length === 2) decodeMatvec(rec, yNk, step, xT, wnk, 'nk', R, K, N, { bias: bT, variant });
    await rec.run();
    const [plain, gelu, acc, nk] = await Promise.all([yPlain.read(), yGelu.read(), yAcc.read(), yNk.read()]);
    const want = { plain: new Float64Array(R * N), gelu: new Float64Array(R * N), acc: new Float64Array(R * N), nk: new Float64Array(R * N) };
    for (let r = 0; r < R; r++) for (let n = 0; n < N; n++) {
      const i = r * N + n;
      const live = r < nRows;
      want.plain[i] = live ? ref(r, n, false) : y0[i];
      want.gelu[i] = live ? geluForward([ref(r, n, true)])[0] : y0[i];
      want.acc[i] = live ? y0[i] + ref(r, n, true) : y0[i];
      want.nk[i] = live ? ref(r, n, true) : y0[i];
    }
    expect(maxRelError(plain, want.plain)).toBeLessThan(1e-4);
    expect(maxRelError(gelu, want.gelu)).toBeLessThan(1e-4);
    expect(maxRelError(acc, want.acc)).toBeLessThan(1e-4);
    if (layouts.length === 2) expect(maxRelError(nk, want.nk)).toBeLessThan(1e-4);
    for (const t of [rec, step, xT, wkn, wnk, bT, yPlain, yGelu, yAcc, yNk]) t.destroy();
  }
});

for (const [K, N] of [[5, 67], [8, 68]]) test(`decode matvec: exact-erf GELU (K ${K}, N ${N})`, async () => {
  const x = randn(K, 2), W = randn(K * N, 2);
  const step = stepOf(0, [0]);
  const xT = Tensor.from(ctx, x, [1, K]), wT = Tensor.from(ctx, W, [K, N]), y = Tensor.empty(ctx, [1, N]);
  const rec = new Recorder(ctx);
  decodeMatvec(rec, y, step, xT, wT, 'kn', 1, K, N, { activation: 'gelu' });
  await rec.run();
  const got = await y.read();
  const want = Array.from({ length: N }, (_, n) => {
    let s = 0;
    for (let k = 0; k < K; k++) s += x[k] * W[k * N + n];
    return 0.5 * s * (1 + erf(s / Math.SQRT2));
  });
  expect(maxRelError(got, want)).toBeLessThan(1e-4);
  for (const t of [rec, step, xT, wT, y]) t.destroy();
});

// Cross-attention of `rows` decoder queries over Ts encoder positions (not causal) held in a
// [maxS, 2C] k | v buffer longer than Ts: positions past src[0] hold NaN and must not be read.
for (const [H, D, Ts, rows, maxS] of [[1, 3, 1, 1, 4], [2, 17, 65, 1, 70], [4, 5, 9, 3, 64], [3, 80, 12, 2, 12]] as const) {
  test(`decode cross-attention: H ${H}, D ${D}, Ts ${Ts}, rows ${rows}, maxS ${maxS}`, async () => {
    const C = H * D;
    const q = randn(rows * C), k = randn(Ts * C), v = randn(Ts * C);
    const kv0 = new Float32Array(maxS * 2 * C).fill(NaN);
    for (let t = 0; t < Ts; t++) for (let c = 0; c < C; c++) {
      kv0[t * 2 * C + c] = k[t * C + c];
      kv0[t * 2 * C + C + c] = v[t * C + c];
    }
    const step = stepOf(0, Array(rows).fill(0));
    const qT = Tensor.from(ctx, q, [rows, C]), kvT = Tensor.from(ctx, kv0, [maxS, 2 * C]);
    const src = Tensor.from(ctx, Uint32Array.of(Ts), [1]);
    const y = Tensor.empty(ctx, [rows, C]);
    const scores = Tensor.empty(ctx, [rows, H, maxS]);
    const rec = new Recorder(ctx);
    decodeCrossAttention(rec, y, scores, step, qT, kvT, src, rows, C, D, maxS);
    await rec.run();
    const got = await y.read();
    const heads = (a: Float32Array, T: number) => {
      const out = new Float64Array(H * T * D);
      for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) out[(Math.floor(c / D) * T + t) * D + (c % D)] = a[t * C + c];
      return out;
    };
    const { out } = attentionForward(heads(q, rows), heads(k, Ts), heads(v, Ts), { B: 1, H, Tq: rows, Tk: Ts, D, causal: false });
    const want = new Float64Array(rows * C);
    for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) want[r * C + c] = out[(Math.floor(c / D) * rows + r) * D + (c % D)];
    expect(maxRelError(got, want)).toBeLessThan(1e-4);
    for (const t of [rec, step, qT, kvT, src, y, scores]) t.destroy();
  });
}

test('decode layernorm (with and without beta, all rows and last row only) and embedding at an offset', async () => {
  for (const [C, R, nRows] of [[1, 1, 1], [17, 3, 2], [130, 4, 4]] as const) {
    const x = randn(R * C, 3), g = randn(C), bta = randn(C);
    const step = stepOf(5, Array(nRows).fill(0));
    const xT = Tensor.from(ctx, x, [R, C]), gT = Tensor.from(ctx, g, [C]), bT = Tensor.from(ctx, bta, [C]);
    const outB = Tensor.empty(ctx, [R, C]), outNoB = Tensor.empty(ctx, [R, C]), outLast = Tensor.empty(ctx, [1, C]);
    const rec = new Recorder(ctx);
    decodeLayernorm(rec, outB, step, xT, gT, bT, R, C, 1e-5);
    decodeLayernorm(rec, outNoB, step, xT, gT, null, R, C, 1e-5);
    decodeLayernorm(rec, outLast, step, xT, gT, bT, R, C, 1e-5, true);
    await rec.run();
    const withB = layernormForward(x, g, bta, R, C, 1e-5).out;
    const noB = layernormForward(x, g, new Float64Array(C), R, C, 1e-5).out;
    const gotB = await outB.read();
    expect(maxRelError(gotB.subarray(0, nRows * C), withB.subarray(0, nRows * C))).toBeLessThan(1e-4);
    expect([...gotB.subarray(nRows * C)].every((v) => v === 0)).toBe(true); // rows past nRows zeroed
    expect(maxRelError((await outNoB.read()).subarray(0, nRows * C), noB.subarray(0, nRows * C))).toBeLessThan(1e-4);
    expect(maxRelError(await outLast.read(), withB.subarray((nRows - 1) * C, nRows * C))).toBeLessThan(1e-4);
    for (const t of [rec, step, xT, gT, bT, outB, outNoB, outLast]) t.destroy();
  }
  const V = 7, C = 65, maxT = 9, pos0 = 4, tokens = [6, 0, 3];
  const wte = randn(V * C), wpe = randn(maxT * C);
  const step = stepOf(pos0, tokens);
  const R = tokens.length + 2;
  const wteT = Tensor.from(ctx, wte, [V, C]), wpeT = Tensor.from(ctx, wpe, [maxT, C]), x = Tensor.from(ctx, randn(R * C), [R, C]);
  const rec = new Recorder(ctx);
  decodeEmbed(rec, x, step, wteT, wpeT, R, C);
  await rec.run();
  const got = await x.read();
  tokens.forEach((tok, r) => {
    for (let c = 0; c < C; c++) expect(got[r * C + c]).toBeCloseTo(wte[tok * C + c] + wpe[(pos0 + r) * C + c], 6);
  });
  expect([...got.subarray(tokens.length * C)].every((v) => v === 0)).toBe(true); // rows past nRows zeroed
  for (const t of [rec, step, wteT, wpeT, x]) t.destroy();
});
