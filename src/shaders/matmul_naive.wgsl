// Matmul variant 0 (naive): one invocation per element of C. The baseline the others are checked
// and timed against; any shape, any strides.
//   C[z][m, n] (+)= sum_k opA(A)[z][m, k] * opB(B)[z][k, n]  (+ bias[n]), then optional GELU.
// Layout (elements, f32): A is M x K (TRANS_A: K x M), row stride lda; B is K x N (TRANS_B: N x K),
// row stride ldb; C and PRE are M x N, row stride ldc. Batch item z = (outer, inner) with
// outer = z / inner_count, inner = z % inner_count; its matrices start at off + outer*s_outer + inner*s_inner.
// Bindings: 0 a (read), 1 b (read), 2 bias (read), 3 c (read_write), 4 pre (read_write), 5 params.
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override GELU: bool = false;
override ACCUMULATE: bool = false;
override WRITE_PRE: bool = false;

struct Params {
  m: u32, n: u32, k: u32, inner_count: u32,
  lda: u32, ldb: u32, ldc: u32, off_bias: u32,
  off_a: u32, off_b: u32, off_c: u32, _pad0: u32,
  sa_outer: u32, sb_outer: u32, sc_outer: u32, _pad1: u32,
  sa_inner: u32, sb_inner: u32, sc_inner: u32, _pad2: u32,
}
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read_write> pre: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

fn gelu(x: f32) -> f32 {
  // GPT-2's tanh approximation; clamp so tanh never sees an overflowing exp.
  let u = clamp(0.7978845608028654 * (x + 0.044715 * x * x * x), -15.0, 15.0);
  return 0.5 * x * (1.0 + tanh(u));
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  let m = gid.y;
  if (m >= p.m || n >= p.n) { return; }
  let outer = gid.z / p.inner_count;
  let inner = gid.z % p.inner_count;
  let base_a = p.off_a + outer * p.sa_outer + inner * p.sa_inner;
  let base_b = p.off_b + outer * p.sb_outer + inner * p.sb_inner;
  let base_c = p.off_c + outer * p.sc_outer + inner * p.sc_inner;
  var acc = 0.0;
  for (var k = 0u; k < p.k; k++) {
    let av = select(a[base_a + m * p.lda + k], a[base_a + k * p.lda + m], TRANS_A);
    let bv = select(b[base_b + k * p.ldb + n], b[base_b + n * p.ldb + k], TRANS_B);
    acc += av * bv;
  }
  let ci = base_c + m * p.ldc + n;
  if (HAS_BIAS) { acc += bias[p.off_bias + n]; }
  if (ACCUMULATE) { acc += c[ci]; }
  if (WRITE_PRE) { pre[ci] = acc; }
  if (GELU) { acc = gelu(acc); }
  c[ci] = acc;
}
