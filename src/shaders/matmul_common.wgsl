// Prepended to every matmul variant by matmul-variants.ts: the epilogue switches, the parameter
// block, the bias and parameter bindings, and helpers. Each variant declares its own a, b, c and
// pre bindings (0, 1, 3, 4), since their element types differ (f32 or vec4f).
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
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

fn gelu(x: f32) -> f32 {
  // GPT-2's tanh approximation; clamp so tanh never sees an overflowing exp.
  let u = clamp(0.7978845608028654 * (x + 0.044715 * x * x * x), -15.0, 15.0);
  return 0.5 * x * (1.0 + tanh(u));
}

// Row r of a row-major matrix, clamped into [0, rows) so loads for discarded rows stay in bounds.
fn clamp_row(r: u32, rows: u32) -> u32 { return min(r, rows - 1u); }

// Row k of a K-indexed operand; in the K tail, rows past K are clamped (their products are masked).
fn krow(k: u32, tail: bool) -> u32 { return select(k, min(k, p.k - 1u), tail); }

// Where batch item z = outer * inner_count + inner starts in A, B and C (elements).
fn batch_bases(z: u32) -> vec3u {
  let outer = z / p.inner_count;
  let inner = z % p.inner_count;
  return vec3u(
    p.off_a + outer * p.sa_outer + inner * p.sa_inner,
    p.off_b + outer * p.sb_outer + inner * p.sb_inner,
    p.off_c + outer * p.sc_outer + inner * p.sc_inner,
  );
}

// bias[n .. n + 4), zero past N and when there is no bias.
fn bias4(n: u32) -> vec4f {
  var v = vec4f(0.0);
  if (HAS_BIAS) {
    for (var j = 0u; j < 4u; j++) {
      if (n + j < p.n) { v[j] = bias[p.off_bias + n + j]; }
    }
  }
  return v;
}

// 1 for the columns k4 .. k4 + 4 below K, 0 past it (the K tail of the vec4 kernels).
fn kmask4(k4: u32) -> vec4f {
  return select(vec4f(0.0), vec4f(1.0), vec4u(k4, k4 + 1u, k4 + 2u, k4 + 3u) < vec4u(p.k));
}
