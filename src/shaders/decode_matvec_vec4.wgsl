// Incremental decoding, vec4 variant of decode_matvec.wgsl (same math, flags and rows):
//   y[r, n] (+)= act(x[r, :] · W[:, n] + b[n])
// A workgroup of 16 × 4 threads owns 64 outputs: tx picks a vec4 of 4 adjacent outputs, ty one of
// 4 interleaved slices of K (split-K, so narrow layers still fill several workgroups/cores); the 4
// partial sums meet in workgroup memory and ty = 0 writes.
//   main:    W is [K, N] (Conv1D), needs N % 4 == 0: a thread reads W[k, 4n4 .. 4n4+3] as a vec4.
//   main_nk: W is [N, K] (Linear / tied embedding), needs K % 4 == 0 and N % 4 == 0.
// Bindings: 0 step (read, u32 [pos0, nRows, …]), 1 x [R, K], 2 W, 3 b [N] (ignored unless
// FLAG_BIAS), 4 y [R, N] (read_write), 5 params. Grid: (ceil(N / 64), rows).
struct Params { K: u32, N: u32, flags: u32, _pad: u32 }
@group(0) @binding(0) var<storage, read> step: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> y: array<vec4<f32>>;
@group(0) @binding(5) var<uniform> p: Params;

const FLAG_BIAS: u32 = 1u;
const FLAG_GELU_TANH: u32 = 2u;
const FLAG_GELU_ERF: u32 = 4u;
const FLAG_ACCUMULATE: u32 = 8u;
const SLICES: u32 = 4u;

var<workgroup> partial: array<array<vec4<f32>, 16>, 4>;

fn erf4(z: vec4<f32>) -> vec4<f32> {
  let a = abs(z);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(z) * (1.0 - poly * exp(-a * a));
}

fn epilogue(r: u32, n4: u32, dot: vec4<f32>) {
  var v = dot;
  if ((p.flags & FLAG_BIAS) != 0u) { v += b[n4]; }
  if ((p.flags & FLAG_GELU_TANH) != 0u) {
    let u = clamp(0.7978845608028654 * (v + 0.044715 * v * v * v), vec4(-15.0), vec4(15.0));
    let e = exp(2.0 * u);
    v = 0.5 * v * (1.0 + (e - 1.0) / (e + 1.0));
  } else if ((p.flags & FLAG_GELU_ERF) != 0u) {
    v = 0.5 * v * (1.0 + erf4(v * 0.7071067811865476));
  }
  let i = r * (p.N / 4u) + n4;
  if ((p.flags & FLAG_ACCUMULATE) != 0u) { y[i] = y[i] + v; } else { y[i] = v; }
}

// Sums the SLICES partials of output group n4 and writes it (called by every thread: barriers).
fn finish(r: u32, n4: u32, tx: u32, ty: u32, acc: vec4<f32>, live: bool) {
  partial[ty][tx] = acc;
  workgroupBarrier();
  if (ty == 0u && live) {
    epilogue(r, n4, partial[0][tx] + partial[1][tx] + partial[2][tx] + partial[3][tx]);
  }
}

@compute @workgroup_size(16, 4)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.y;
  if (r >= step[1]) { return; }
  let N4 = p.N / 4u;
  let n4 = wid.x * 16u + lid.x;
  let live = n4 < N4;
  var acc = vec4(0.0);
  if (live) {
    let xb = r * p.K;
    for (var k = lid.y; k < p.K; k += SLICES) { acc += x[xb + k] * W[k * N4 + n4]; }
  }
  finish(r, n4, lid.x, lid.y, acc, live);
}

@compute @workgroup_size(16, 4)
fn main_nk(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.y;
  if (r >= step[1]) { return; }
  let N4 = p.N / 4u;
  let K4 = p.K / 4u;
  let n4 = wid.x * 16u + lid.x;
  let live = n4 < N4;
  var acc = vec4(0.0);
  if (live) {
    let xb = r * p.K;
    for (var k4 = lid.y; k4 < K4; k4 += SLICES) {
      let xv = vec4(x[xb + 4u * k4], x[xb + 4u * k4 + 1u], x[xb + 4u * k4 + 2u], x[xb + 4u * k4 + 3u]);
      let n = 4u * n4;
      acc += vec4(dot(xv, W[n * K4 + k4]), dot(xv, W[(n + 1u) * K4 + k4]), dot(xv, W[(n + 2u) * K4 + k4]), dot(xv, W[(n + 3u) * K4 + k4]));
    }
  }
  finish(r, n4, lid.x, lid.y, acc, live);
}
