// Matmul variant 0 (naive): one invocation per element of C. The baseline the others are checked
// and timed against; any shape, any strides.
//   C[z][m, n] (+)= sum_k opA(A)[z][m, k] * opB(B)[z][k, n]  (+ bias[n]), then optional GELU.
// Layout (elements, f32): A is M x K (TRANS_A: K x M), row stride lda; B is K x N (TRANS_B: N x K),
// row stride ldb; C and PRE are M x N, row stride ldc. Batch item z = (outer, inner) with
// outer = z / inner_count, inner = z % inner_count; its matrices start at off + outer*s_outer + inner*s_inner.
// Bindings: 0 a (read), 1 b (read), 2 bias (read), 3 c (read_write), 4 pre (read_write), 5 params.

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read_write> pre: array<f32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  let m = gid.y;
  if (m >= p.m || n >= p.n) { return; }
  let bases = batch_bases(gid.z);
  let base_a = bases.x;
  let base_b = bases.y;
  let base_c = bases.z;
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
