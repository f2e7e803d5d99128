// Incremental decoding: layernorm over C of each row fed this step (one workgroup per row).
// out[r, :] = (x[r, :] - mean) * rstd * gamma (+ beta), biased variance as PyTorch.
// With lastRowOnly, a single workgroup normalizes row nRows-1 into out row 0 (the final
// layernorm: only the last position's logits are needed). Rows nRows..R-1 of out are zeroed.
// Bindings: 0 step (read, u32 [pos0, nRows, …]), 1 x [R, C], 2 gamma [C], 3 beta [C] (ignored
// unless hasBias), 4 out [R, C] (write), 5 params. Grid: (R) or (1) with lastRowOnly.
struct Params { C: u32, eps: f32, hasBias: u32, lastRowOnly: u32 }
@group(0) @binding(0) var<storage, read> step: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

const WG: u32 = 64u;
var<workgroup> red: array<f32, 64>;

fn reduceSum(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k = k >> 1u) {
    if (lid < k) { red[lid] += red[lid + k]; }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = step[1];
  var r = wid.x;
  var outRow = wid.x;
  if (p.lastRowOnly != 0u) {
    r = n - 1u;
    outRow = 0u;
  }
  if (r >= n) {
    for (var c = lid; c < p.C; c += WG) { out[outRow * p.C + c] = 0.0; }
    return;
  }
  let base = r * p.C;
  var s = 0.0;
  for (var c = lid; c < p.C; c += WG) { s += x[base + c]; }
  let mean = reduceSum(s, lid) / f32(p.C);
  var v = 0.0;
  for (var c = lid; c < p.C; c += WG) {
    let d = x[base + c] - mean;
    v += d * d;
  }
  let rstd = inverseSqrt(reduceSum(v, lid) / f32(p.C) + p.eps);
  for (var c = lid; c < p.C; c += WG) {
    var y = (x[base + c] - mean) * rstd * gamma[c];
    if (p.hasBias != 0u) { y += beta[c]; }
    out[outRow * p.C + c] = y;
  }
}
