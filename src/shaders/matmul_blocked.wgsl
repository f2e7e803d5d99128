// Shared by the register-blocked matmuls (matmul_vec4.wgsl, matmul_subgroup.wgsl), appended after
// the kernel by matmul-variants.ts: B's 4 x 4 block, the walk over K and C's stores from the TM
// accumulators. The kernel declares a, b, acc (TM vec4s), base_b, m0, n0 and
// accumulate(k, kmask, tail); one of the two store blocks at the end declares c and pre.

// Column j: B[k + j, n0 .. n0 + 4), zero past K.
fn load_b(k: u32, kmask: vec4f, tail: bool) -> mat4x4f {
  if (TRANS_B) {
    let r0 = b[(base_b + clamp_row(n0, p.n) * p.ldb + k) / 4u];
    let r1 = b[(base_b + clamp_row(n0 + 1u, p.n) * p.ldb + k) / 4u];
    let r2 = b[(base_b + clamp_row(n0 + 2u, p.n) * p.ldb + k) / 4u];
    let r3 = b[(base_b + clamp_row(n0 + 3u, p.n) * p.ldb + k) / 4u];
    var bk = transpose(mat4x4f(r0, r1, r2, r3));
    if (tail) { bk = mat4x4f(bk[0] * kmask.x, bk[1] * kmask.y, bk[2] * kmask.z, bk[3] * kmask.w); }
    return bk;
  } else {
    let b0 = b[(base_b + k * p.ldb + n0) / 4u];
    var b1 = b[(base_b + krow(k + 1u, tail) * p.ldb + n0) / 4u];
    var b2 = b[(base_b + krow(k + 2u, tail) * p.ldb + n0) / 4u];
    var b3 = b[(base_b + krow(k + 3u, tail) * p.ldb + n0) / 4u];
    if (tail) { b1 *= kmask.y; b2 *= kmask.z; b3 *= kmask.w; }
    return mat4x4f(b0, b1, b2, b3);
  }
}

// acc += A[m0 .., 0 .. K) · B[0 .. K, n0 ..): whole steps of four, then the masked K tail.
fn accumulate_k() {
  let k4 = p.k & ~3u;
  for (var k = 0u; k < k4; k += 4u) {
    accumulate(k, vec4f(1.0), false);
  }
  if (k4 < p.k) { accumulate(k4, kmask4(k4), true); }
}

// C[m0 + i, n .. n + 4) (+)= acc[i] + bias[n ..] for the rows i below M; base_c is C's batch item.
fn store_tile(base_c: u32, n: u32) {
  let bias_n = bias4(n);
  let cols = min(4u, p.n - n);
  for (var i = 0u; i < TM; i++) {
    let m = m0 + i;
    if (m >= p.m) { break; }
    store_row(base_c + m * p.ldc + n, acc[i] + bias_n, cols);
  }
}

// matmul-variants.ts keeps one of the two blocks below: vec4 stores where every row of C (and
// pre) starts 16-byte aligned and N % 4 == 0 (CPU drivers pay per store instruction, and a vec4
// store costs about one scalar store), scalar stores otherwise.
//--- store scalar
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read_write> pre: array<f32>;

// C[m, n .. n + cols) (+)= v (pre gets the value before GELU); ci is the element index of C[m, n].
fn store_row(ci: u32, v: vec4f, cols: u32) {
  for (var j = 0u; j < cols; j++) {
    var x = v[j];
    if (ACCUMULATE) { x += c[ci + j]; }
    if (WRITE_PRE) { pre[ci + j] = x; }
    if (GELU) { x = gelu(x); }
    c[ci + j] = x;
  }
}
//--- store vec4
@group(0) @binding(3) var<storage, read_write> c: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> pre: array<vec4f>;

fn store_row(ci: u32, v: vec4f, cols: u32) {
  var x = v;
  if (ACCUMULATE) { x += c[ci / 4u]; }
  if (WRITE_PRE) { pre[ci / 4u] = x; }
  if (GELU) { x = vec4f(gelu(x.x), gelu(x.y), gelu(x.z), gelu(x.w)); }
  c[ci / 4u] = x;
}
