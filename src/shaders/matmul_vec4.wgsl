// Matmul variant 1 (register-blocked vec4, no workgroup memory): each invocation owns a TM x 4
// block of C, held in TM vec4 accumulators, and walks K four at a time with vec4 loads. Software
// Vulkan drivers (lavapipe, SwiftShader) run workgroup barriers slowly and reward exactly this.
//   C[z][m, n] (+)= sum_k opA(A)[z][m, k] * opB(B)[z][k, n]  (+ bias[n]), then optional GELU.
// Layout (elements, f32): A is M x K (TRANS_A: K x M), row stride lda; B is K x N (TRANS_B: N x K),
// row stride ldb; C and PRE are M x N, row stride ldc; batch item z = (z / inner_count, z % inner_count).
// The caller guarantees lda, ldb, A's and B's offsets and batch strides are multiples of 4 and that
// their bindings cover whole vec4s, so a vec4 never straddles two rows. Rows/columns past M/N are
// computed from clamped (in-bounds) rows and never stored; the K tail is masked to zero.
// Bindings: 0 a (vec4), 1 b (vec4), 2 bias (f32), 3 c, 4 pre (read_write), 5 params. B's loads,
// the K walk and C's (scalar) stores are matmul_blocked.wgsl's.
// TM, WG_X and WG_Y are substituted by matmul-variants.ts (tile shapes tuned per adapter).
const TM: u32 = 4u;
const WG_X: u32 = 8u;
const WG_Y: u32 = 8u;

@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<vec4f>;

var<private> acc: array<vec4f, TM>;
var<private> base_a: u32;
var<private> base_b: u32;
var<private> m0: u32;
var<private> n0: u32;

// Adds A[m0.., k..k+4) · B[k..k+4), n0..n0+4) into acc. `kmask` zeroes the part of a K tail past K.
fn accumulate(k: u32, kmask: vec4f, tail: bool) {
  let bk = load_b(k, kmask, tail);
  if (TRANS_A) {
    // A is K x M: row k + j holds A[m0 .. m0 + 4, k + j] for each group of four rows of C.
    for (var g = 0u; g < TM / 4u; g++) {
      let mg = min(m0 + 4u * g, (p.m - 1u) & ~3u);
      let t0 = a[(base_a + k * p.lda + mg) / 4u];
      var t1 = a[(base_a + krow(k + 1u, tail) * p.lda + mg) / 4u];
      var t2 = a[(base_a + krow(k + 2u, tail) * p.lda + mg) / 4u];
      var t3 = a[(base_a + krow(k + 3u, tail) * p.lda + mg) / 4u];
      if (tail) { t1 *= kmask.y; t2 *= kmask.z; t3 *= kmask.w; }
      for (var i = 0u; i < 4u; i++) {
        acc[4u * g + i] += bk * vec4f(t0[i], t1[i], t2[i], t3[i]);
      }
    }
  } else {
    for (var i = 0u; i < TM; i++) {
      var av = a[(base_a + clamp_row(m0 + i, p.m) * p.lda + k) / 4u];
      if (tail) { av *= kmask; }
      acc[i] += bk * av;
    }
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  n0 = gid.x * 4u;
  // With one row of invocations per workgroup, m0 comes from the workgroup id alone: the compiler
  // then knows A's rows are the same for every lane and loads them once (lavapipe's SIMD lanes).
  if (WG_Y == 1u) { m0 = wid.y * TM; } else { m0 = gid.y * TM; }
  if (m0 >= p.m || n0 >= p.n) { return; }
  let bases = batch_bases(gid.z);
  base_a = bases.x;
  base_b = bases.y;
  accumulate_k();
  store_tile(bases.z, n0);
}
