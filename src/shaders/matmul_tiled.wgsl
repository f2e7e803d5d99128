// Matmul variant 2 (shared-memory tiles): a workgroup computes a BM x BN tile of C; per BK-slice of
// K it stages A[BM, BK] and B[BK, BN] in workgroup memory (zero-padded past M, N, K), then each
// invocation accumulates a TM x TN block held in registers. What real GPUs reward; any shape and
// stride (scalar loads), so it is also the fallback when vec4 alignment does not hold.
//   C[z][m, n] (+)= sum_k opA(A)[z][m, k] * opB(B)[z][k, n]  (+ bias[n]), then optional GELU.
// Layout (elements, f32): A is M x K (TRANS_A: K x M), row stride lda; B is K x N (TRANS_B: N x K),
// row stride ldb; C and PRE are M x N, row stride ldc; batch item z = (z / inner_count, z % inner_count).
// Bindings: 0 a (read), 1 b (read), 2 bias (read), 3 c (read_write), 4 pre (read_write), 5 params.
// BM, BN, BK, TM, TN are substituted by matmul-variants.ts. An invocation's rows are lid.y + i*WG_Y
// and its columns lid.x + j*WG_X, so neighbouring invocations touch neighbouring addresses.
const BM: u32 = 64u;
const BN: u32 = 64u;
const BK: u32 = 16u;
const TM: u32 = 4u;
const TN: u32 = 4u;
const WG_X: u32 = BN / TN;
const WG_Y: u32 = BM / TM;
const THREADS: u32 = WG_X * WG_Y;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read_write> pre: array<f32>;

var<workgroup> tile_a: array<f32, BK * BM>; // tile_a[k * BM + m]
var<workgroup> tile_b: array<f32, BK * BN>; // tile_b[k * BN + n]

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let tm0 = wid.y * BM;
  let tn0 = wid.x * BN;
  let bases = batch_bases(wid.z);
  let base_a = bases.x;
  let base_b = bases.y;
  let base_c = bases.z;

  var acc: array<f32, TM * TN>;
  for (var k0 = 0u; k0 < p.k; k0 += BK) {
    // Stage the slices; the index order follows memory order of each operand for coalescing.
    for (var i = li; i < BM * BK; i += THREADS) {
      var mm: u32; var kk: u32;
      if (TRANS_A) { mm = i % BM; kk = i / BM; } else { kk = i % BK; mm = i / BK; }
      let m = tm0 + mm;
      let k = k0 + kk;
      var v = 0.0;
      if (m < p.m && k < p.k) {
        if (TRANS_A) { v = a[base_a + k * p.lda + m]; } else { v = a[base_a + m * p.lda + k]; }
      }
      tile_a[kk * BM + mm] = v;
    }
    for (var i = li; i < BN * BK; i += THREADS) {
      var nn: u32; var kk: u32;
      if (TRANS_B) { kk = i % BK; nn = i / BK; } else { nn = i % BN; kk = i / BN; }
      let n = tn0 + nn;
      let k = k0 + kk;
      var v = 0.0;
      if (n < p.n && k < p.k) {
        if (TRANS_B) { v = b[base_b + n * p.ldb + k]; } else { v = b[base_b + k * p.ldb + n]; }
      }
      tile_b[kk * BN + nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      var ar: array<f32, TM>;
      var br: array<f32, TN>;
      for (var i = 0u; i < TM; i++) { ar[i] = tile_a[kk * BM + lid.y + i * WG_Y]; }
      for (var j = 0u; j < TN; j++) { br[j] = tile_b[kk * BN + lid.x + j * WG_X]; }
      for (var i = 0u; i < TM; i++) {
        for (var j = 0u; j < TN; j++) { acc[i * TN + j] += ar[i] * br[j]; }
      }
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < TM; i++) {
    let m = tm0 + lid.y + i * WG_Y;
    if (m >= p.m) { break; }
    for (var j = 0u; j < TN; j++) {
      let n = tn0 + lid.x + j * WG_X;
      if (n >= p.n) { break; }
      let ci = base_c + m * p.ldc + n;
      var v = acc[i * TN + j];
      if (HAS_BIAS) { v += bias[p.off_bias + n]; }
      if (ACCUMULATE) { v += c[ci]; }
      if (WRITE_PRE) { pre[ci] = v; }
      if (GELU) { v = gelu(v); }
      c[ci] = v;
    }
  }
}
