enable subgroups;
// Matmul variant 3 (subgroup broadcast): like variant 1, each invocation owns a TM x 4 block of C in
// TM vec4 accumulators, but every invocation of a workgroup shares the same TM rows of A, and each
// row is loaded by one lane and handed to the others with subgroupBroadcast. On CPU drivers every
// lane's buffer load is a bounds-checked scalar load, so loading A once per R lanes instead of once
// per lane is what pays: the broadcast is a register shuffle.
//   C[z][m, n] (+)= sum_k opA(A)[z][m, k] * opB(B)[z][k, n]  (+ bias[n]), then optional GELU.
// Same bindings, params, layout and alignment contract as matmul_vec4.wgsl; B's loads, the K walk
// and C's stores (scalar or vec4) are matmul_blocked.wgsl's.
// Needs subgroups of at least R lanes (lanes 0..R-1 load, everyone reads), R = 4, 8 or 16; the
// variant is only offered where the adapter's minimum subgroup size allows it.
// Control flow stays uniform through the K loop (subgroupBroadcast requires it): lanes past N
// compute on a clamped column and only skip the stores.
// TM, R and WG_X are substituted by matmul-variants.ts.
const TM: u32 = 16u;
const R: u32 = 8u;
const WG_X: u32 = 8u;

@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<vec4f>;
// Bindings 3 (c) and 4 (pre) come from matmul_blocked.wgsl's store block.

var<private> acc: array<vec4f, TM>;
var<private> base_a: u32;
var<private> base_b: u32;
var<private> m0: u32;
var<private> n0: u32;
var<private> lane: u32;

// acc[row] += A[row, k..k+4) · B[k..k+4), n0..n0+4), with av = A[row, k..k+4) and column j of
// bk = B[k + j, n0..n0+4), so bk * av = sum_j av[j] B[k + j, ..].
fn fma_row(row: u32, av: vec4f, bk: mat4x4f) {
  acc[row] += bk * av;
}

// acc[row + i] += bk * (t0[i], t1[i], t2[i], t3[i]) for i = 0..3, with t_j = A[row .. row + 4, k + j].
fn fma_quad(row: u32, t0: vec4f, t1: vec4f, t2: vec4f, t3: vec4f, bk: mat4x4f) {
  acc[row] += bk * vec4f(t0.x, t1.x, t2.x, t3.x);
  acc[row + 1u] += bk * vec4f(t0.y, t1.y, t2.y, t3.y);
  acc[row + 2u] += bk * vec4f(t0.z, t1.z, t2.z, t3.z);
  acc[row + 3u] += bk * vec4f(t0.w, t1.w, t2.w, t3.w);
}

// Rows m0 + g*R .. + R: lane l < R loads row g*R + l (A[row, k..k+4)), then every lane takes
// each row from its owner. subgroupBroadcast needs a constant lane, hence the spelled-out lanes.
fn rows_nn(g: u32, k: u32, kmask: vec4f, tail: bool, bk: mat4x4f) {
  let row = g * R;
  var mine = a[(base_a + clamp_row(m0 + row + lane % R, p.m) * p.lda + k) / 4u];
  if (tail) { mine *= kmask; }
  fma_row(row + 0u, subgroupBroadcast(mine, 0u), bk);
  fma_row(row + 1u, subgroupBroadcast(mine, 1u), bk);
  fma_row(row + 2u, subgroupBroadcast(mine, 2u), bk);
  fma_row(row + 3u, subgroupBroadcast(mine, 3u), bk);
  if (R >= 8u) {
    fma_row(row + 4u, subgroupBroadcast(mine, 4u), bk);
    fma_row(row + 5u, subgroupBroadcast(mine, 5u), bk);
    fma_row(row + 6u, subgroupBroadcast(mine, 6u), bk);
    fma_row(row + 7u, subgroupBroadcast(mine, 7u), bk);
  }
  if (R == 16u) {
    fma_row(row + 8u, subgroupBroadcast(mine, 8u), bk);
    fma_row(row + 9u, subgroupBroadcast(mine, 9u), bk);
    fma_row(row + 10u, subgroupBroadcast(mine, 10u), bk);
    fma_row(row + 11u, subgroupBroadcast(mine, 11u), bk);
    fma_row(row + 12u, subgroupBroadcast(mine, 12u), bk);
    fma_row(row + 13u, subgroupBroadcast(mine, 13u), bk);
    fma_row(row + 14u, subgroupBroadcast(mine, 14u), bk);
    fma_row(row + 15u, subgroupBroadcast(mine, 15u), bk);
  }
}

// A is K x M: lane l < R loads A[m0 + g*R + 4*(l / 4) .. + 4, k + l % 4] (one vec4 along M), so
// lanes 4q .. 4q+3 together hold the 4 x 4 block of row quad q.
fn rows_tn(g: u32, k: u32, kmask: vec4f, tail: bool, bk: mat4x4f) {
  let row = g * R;
  let l = lane % R;
  let mq = min(m0 + row + 4u * (l / 4u), (p.m - 1u) & ~3u);
  var mine = a[(base_a + krow(k + l % 4u, tail) * p.lda + mq) / 4u];
  if (tail) { mine *= kmask[l % 4u]; }
  fma_quad(row, subgroupBroadcast(mine, 0u), subgroupBroadcast(mine, 1u), subgroupBroadcast(mine, 2u), subgroupBroadcast(mine, 3u), bk);
  if (R >= 8u) {
    fma_quad(row + 4u, subgroupBroadcast(mine, 4u), subgroupBroadcast(mine, 5u), subgroupBroadcast(mine, 6u), subgroupBroadcast(mine, 7u), bk);
  }
  if (R == 16u) {
    fma_quad(row + 8u, subgroupBroadcast(mine, 8u), subgroupBroadcast(mine, 9u), subgroupBroadcast(mine, 10u), subgroupBroadcast(mine, 11u), bk);
    fma_quad(row + 12u, subgroupBroadcast(mine, 12u), subgroupBroadcast(mine, 13u), subgroupBroadcast(mine, 14u), subgroupBroadcast(mine, 15u), bk);
  }
}

fn rows(g: u32, k: u32, kmask: vec4f, tail: bool, bk: mat4x4f) {
  if (TRANS_A) { rows_tn(g, k, kmask, tail, bk); } else { rows_nn(g, k, kmask, tail, bk); }
}

fn accumulate(k: u32, kmask: vec4f, tail: bool) {
  let bk = load_b(k, kmask, tail);
  // Spelled out rather than looped (TM / R <= 6): with constant row groups every accumulator index
  // is a constant, so SwiftShader keeps acc in registers instead of indexing it in memory.
  rows(0u, k, kmask, tail, bk);
  if (TM / R > 1u) { rows(1u, k, kmask, tail, bk); }
  if (TM / R > 2u) { rows(2u, k, kmask, tail, bk); }
  if (TM / R > 3u) { rows(3u, k, kmask, tail, bk); }
  if (TM / R > 4u) { rows(4u, k, kmask, tail, bk); }
  if (TM / R > 5u) { rows(5u, k, kmask, tail, bk); }
}

@compute @workgroup_size(WG_X, 1)
fn main(
  @builtin(global_invocation_id) gid: vec3u,
  @builtin(workgroup_id) wid: vec3u,
  @builtin(subgroup_invocation_id) sg_lane: u32,
) {
  lane = sg_lane;
  // Tested on a let: WGSL's uniformity analysis treats every read of a private variable as varying.
  let first_row = wid.y * TM;
  if (first_row >= p.m) { return; }
  m0 = first_row;
  let n_out = gid.x * 4u;
  n0 = min(n_out, ((p.n + 3u) & ~3u) - 4u);
  let bases = batch_bases(wid.z);
  base_a = bases.x;
  base_b = bases.y;
  let base_c = bases.z;

  accumulate_k();
  if (n_out >= p.n) { return; }
  store_tile(base_c, n_out);
}
