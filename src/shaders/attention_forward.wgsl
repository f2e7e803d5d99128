// Scaled dot-product attention forward with materialized probabilities.
// Key j is visible to query i iff j < kvLen[b] (when hasKvLen) and, if causal, j <= i; so the
// visible keys of a row are j < end(b, i). A row with no visible key gets zero probabilities.
// Entry `scores`: one thread per (b, h, i) row: probs = softmax(scale * q k^T) over
//                 visible keys, zeros elsewhere (every element of probs is written).
// Entry `values`: one thread per (b, h, i, lane group of d): out = (probs * dropMask) v over the visible keys
//                 (overwrite). With attention dropout (needs rng.wgsl prepended), element e of probs
//                 is kept iff randomBits(stepSeed(seed, step), dropStream, e) >= dropThreshold, and
//                 scaled by dropScale; probs itself stays undropped (backward and the attention view).
// Bindings: 0 q [B,H,Tq,D], 1 k [B,H,Tk,D], 2 v [B,H,Tk,D], 3 kvLen [B] u32 (read; unused unless
//           hasKvLen), 4 probs [B,H,Tq,Tk], 5 out [B,H,Tq,D] (read_write), 6 state StepState (read;
//           unused unless dropout), 7 params { B, H, Tq, Tk, D, causal, hasKvLen, scale, dropout,
//           dropThreshold, dropScale, dropStream }.
// Needs attention_lanes.wgsl (hvec, lanes, hsum) and rng.wgsl prepended; Dv = D / lanes below.
struct Params {
  B: u32, H: u32, Tq: u32, Tk: u32, D: u32, causal: u32, hasKvLen: u32, scale: f32,
  dropout: u32, dropThreshold: u32, dropScale: f32, dropStream: u32,
}
struct StepState { step: u32, seed: u32, lr: f32, reserved: u32 }
@group(0) @binding(0) var<storage, read> q: array<hvec>;
@group(0) @binding(1) var<storage, read> k: array<hvec>;
@group(0) @binding(2) var<storage, read> v: array<hvec>;
@group(0) @binding(3) var<storage, read> kvLen: array<u32>;
@group(0) @binding(4) var<storage, read_write> probs: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<hvec>;
@group(0) @binding(6) var<storage, read> state: StepState;
@group(0) @binding(7) var<uniform> p: Params;

fn visibleEnd(b: u32, i: u32) -> u32 {
  var end = p.Tk;
  if (p.hasKvLen != 0u) { end = min(end, kvLen[b]); }
  if (p.causal != 0u) { end = min(end, i + 1u); }
  return end;
}

// One thread per row: no workgroup barriers, which cost more than they save on CPU adapters.
@compute @workgroup_size(64)
fn scores(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.x + wid.y * nwg.x) * 64u + lid; // (b * H + h) * Tq + i
  if (row >= p.B * p.H * p.Tq) { return; }
  let i = row % p.Tq;
  let bh = row / p.Tq;
  let end = visibleEnd(bh / p.H, i);
  let Dv = p.D / lanes;
  let qBase = row * Dv;
  let base = row * p.Tk;
  var m = -3.4e38;
  for (var j = 0u; j < end; j++) {
    let kBase = (bh * p.Tk + j) * Dv;
    var acc = hvec(0.0);
    for (var c = 0u; c < Dv; c++) { acc += q[qBase + c] * k[kBase + c]; }
    let s = hsum(acc) * p.scale;
    probs[base + j] = s;
    m = max(m, s);
  }
  var sum = 0.0;
  for (var j = 0u; j < end; j++) {
    let e = exp(probs[base + j] - m);
    probs[base + j] = e;
    sum += e;
  }
  let inv = 1.0 / sum;
  for (var j = 0u; j < end; j++) { probs[base + j] *= inv; }
  for (var j = end; j < p.Tk; j++) { probs[base + j] = 0.0; }
}

@compute @workgroup_size(256)
fn values(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = (wid.x + wid.y * nwg.x) * 256u + lid;
  let Dv = p.D / lanes;
  if (idx >= p.B * p.H * p.Tq * Dv) { return; }
  let c = idx % Dv;
  let row = idx / Dv;
  let i = row % p.Tq;
  let bh = row / p.Tq;
  let end = visibleEnd(bh / p.H, i);
  let base = row * p.Tk;
  var acc = hvec(0.0);
  if (p.dropout != 0u) {
    let seed = stepSeed(state.seed, state.step);
    for (var j = 0u; j < end; j++) {
      let kept = randomBits(seed, p.dropStream, base + j) >= p.dropThreshold;
      acc += select(0.0, probs[base + j] * p.dropScale, kept) * v[(bh * p.Tk + j) * Dv + c];
    }
  } else {
    for (var j = 0u; j < end; j++) { acc += probs[base + j] * v[(bh * p.Tk + j) * Dv + c]; }
  }
  out[idx] = acc;
}
