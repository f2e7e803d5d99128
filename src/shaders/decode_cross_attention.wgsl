// Incremental decoding: cross-attention of each decoder row fed this step over the encoder's
// keys and values, computed once per source (not causal: every row sees all Ts positions).
// One workgroup per (head, row).
//   s_j = (q · k_j) * scale;  p = softmax(s);  y[r, h*D + d] = sum_j p_j v_j[d]     j < Ts
// Bindings: 0 step (read, u32 [pos0, nRows, …]), 1 q [R, C], 2 kv [maxS, 2C] (a row is k | v, as
// the fused k_proj_v_proj writes it), 3 src (read, u32 [Ts]), 4 scores [R, H, maxS] (scratch,
// write), 5 y [R, C] (write), 6 params. Grid: (H, R).
struct Params { C: u32, D: u32, maxS: u32, scale: f32 }
@group(0) @binding(0) var<storage, read> step: array<u32>;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> kv: array<f32>;
@group(0) @binding(3) var<storage, read> src: array<u32>;
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

const WG: u32 = 64u;
var<workgroup> red: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let h = wid.x;
  let r = wid.y;
  if (r >= step[1]) { return; }
  let H = p.C / p.D;
  let len = min(src[0], p.maxS);
  let qb = r * p.C + h * p.D;
  let kb = h * p.D; // k of position j: kv[j * 2C + kb + d]; v: kv[j * 2C + C + kb + d]
  let sb = (r * H + h) * p.maxS;

  var m = -3.402823e38;
  for (var j = lid; j < len; j += WG) {
    var s = 0.0;
    for (var d = 0u; d < p.D; d++) { s += q[qb + d] * kv[j * 2u * p.C + kb + d]; }
    s *= p.scale;
    scores[sb + j] = s;
    m = max(m, s);
  }
  red[lid] = m;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k = k >> 1u) {
    if (lid < k) { red[lid] = max(red[lid], red[lid + k]); }
    workgroupBarrier();
  }
  let mx = red[0];
  workgroupBarrier();

  var sum = 0.0;
  for (var j = lid; j < len; j += WG) {
    let e = exp(scores[sb + j] - mx);
    scores[sb + j] = e;
    sum += e;
  }
  red[lid] = sum;
  // Every thread reads all of this row's scores below: make the writes above visible.
  storageBarrier();
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k = k >> 1u) {
    if (lid < k) { red[lid] += red[lid + k]; }
    workgroupBarrier();
  }
  let inv = 1.0 / red[0];

  for (var d = lid; d < p.D; d += WG) {
    var acc = 0.0;
    for (var j = 0u; j < len; j++) { acc += scores[sb + j] * kv[j * 2u * p.C + p.C + kb + d]; }
    y[r * p.C + h * p.D + d] = acc * inv;
  }
}
