// Scaled dot-product attention backward from the saved probabilities P (see attention_forward.wgsl),
// with M the attention-dropout mask (recomputed from the counters; all ones without dropout):
//   dP = (dOut v^T) * M;  dS = P * (dP - rowsum(P * dP)) * scale;  dq = dS k;  dk = dS^T q;
//   dv = (P * M)^T dOut.  Needs attention_lanes.wgsl (hvec, lanes, hsum) and rng.wgsl prepended;
//   the d-indexed threads below each own one lane group (Dv = D / lanes of them per row).
// Entry `row`:      one thread per (b, h, i): writes the whole dS row (scratch).
// Entry `dquery`:   one thread per (b, h, i, d): dq += dS k over visible keys.
// Entry `dkeyvalue`: one thread per (b, h, j, d): dk += dS^T q, dv += P^T dOut over queries i
//                   (i >= j when causal). All sums run in a fixed order: deterministic.
// dq, dk, dv are ACCUMULATED (+=); dS is overwritten.
// Bindings: 0 q, 1 k, 2 v, 3 kvLen [B] u32, 4 probs, 5 dOut [B,H,Tq,D] (read), 6 dS [B,H,Tq,Tk],
//           7 dq, 8 dk, 9 dv (read_write), 10 state StepState (read), 11 params (as the forward's).
struct Params {
  B: u32, H: u32, Tq: u32, Tk: u32, D: u32, causal: u32, hasKvLen: u32, scale: f32,
  dropout: u32, dropThreshold: u32, dropScale: f32, dropStream: u32,
}
struct StepState { step: u32, seed: u32, lr: f32, reserved: u32 }
@group(0) @binding(0) var<storage, read> q: array<hvec>;
@group(0) @binding(1) var<storage, read> k: array<hvec>;
@group(0) @binding(2) var<storage, read> v: array<hvec>;
@group(0) @binding(3) var<storage, read> kvLen: array<u32>;
@group(0) @binding(4) var<storage, read> probs: array<f32>;
@group(0) @binding(5) var<storage, read> dOut: array<hvec>;
@group(0) @binding(6) var<storage, read_write> dS: array<f32>;
@group(0) @binding(7) var<storage, read_write> dq: array<hvec>;
@group(0) @binding(8) var<storage, read_write> dk: array<hvec>;
@group(0) @binding(9) var<storage, read_write> dv: array<hvec>;
@group(0) @binding(10) var<storage, read> state: StepState;
@group(0) @binding(11) var<uniform> p: Params;

// The scaled keep factor of probs element e (1 without dropout).
fn dropFactor(e: u32) -> f32 {
  if (p.dropout == 0u) { return 1.0; }
  let kept = randomBits(stepSeed(state.seed, state.step), p.dropStream, e) >= p.dropThreshold;
  return select(0.0, p.dropScale, kept);
}

fn visibleEnd(b: u32, i: u32) -> u32 {
  var end = p.Tk;
  if (p.hasKvLen != 0u) { end = min(end, kvLen[b]); }
  if (p.causal != 0u) { end = min(end, i + 1u); }
  return end;
}

// One thread per row: no workgroup barriers (see attention_forward.wgsl).
@compute @workgroup_size(64)
fn row(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = (wid.x + wid.y * nwg.x) * 64u + lid; // (b * H + h) * Tq + i
  if (r >= p.B * p.H * p.Tq) { return; }
  let i = r % p.Tq;
  let bh = r / p.Tq;
  let end = visibleEnd(bh / p.H, i);
  let Dv = p.D / lanes;
  let oBase = r * Dv;
  let base = r * p.Tk;
  var rowDot = 0.0;
  for (var j = 0u; j < end; j++) {
    let vBase = (bh * p.Tk + j) * Dv;
    var acc = hvec(0.0);
    for (var c = 0u; c < Dv; c++) { acc += dOut[oBase + c] * v[vBase + c]; }
    dS[base + j] = hsum(acc); // dP for now
  }
  if (p.dropout != 0u) {
    for (var j = 0u; j < end; j++) { dS[base + j] *= dropFactor(base + j); }
  }
  for (var j = 0u; j < end; j++) { rowDot += dS[base + j] * probs[base + j]; }
  for (var j = 0u; j < end; j++) { dS[base + j] = probs[base + j] * (dS[base + j] - rowDot) * p.scale; }
  for (var j = end; j < p.Tk; j++) { dS[base + j] = 0.0; }
}

@compute @workgroup_size(256)
fn dquery(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = (wid.x + wid.y * nwg.x) * 256u + lid;
  let Dv = p.D / lanes;
  if (idx >= p.B * p.H * p.Tq * Dv) { return; }
  let c = idx % Dv;
  let r = idx / Dv;
  let i = r % p.Tq;
  let bh = r / p.Tq;
  let end = visibleEnd(bh / p.H, i);
  var acc = hvec(0.0);
  for (var j = 0u; j < end; j++) { acc += dS[r * p.Tk + j] * k[(bh * p.Tk + j) * Dv + c]; }
  dq[idx] += acc;
}

@compute @workgroup_size(256)
fn dkeyvalue(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = (wid.x + wid.y * nwg.x) * 256u + lid;
  let Dv = p.D / lanes;
  if (idx >= p.B * p.H * p.Tk * Dv) { return; }
  let c = idx % Dv;
  let j = (idx / Dv) % p.Tk;
  let bh = idx / (Dv * p.Tk);
  if (p.hasKvLen != 0u && j >= kvLen[bh / p.H]) { return; } // masked keys get no gradient
  var begin = 0u;
  if (p.causal != 0u) { begin = j; }
  var accK = hvec(0.0);
  var accV = hvec(0.0);
  // Walk rows i of this (b, h) with running offsets: dS / probs step by Tk, q / dOut by D.
  var e = (bh * p.Tq + begin) * p.Tk + j;
  var o = (bh * p.Tq + begin) * Dv + c;
  if (p.dropout != 0u) {
    for (var i = begin; i < p.Tq; i++) {
      accK += dS[e] * q[o];
      accV += probs[e] * dropFactor(e) * dOut[o];
      e += p.Tk;
      o += Dv;
    }
  } else {
    for (var i = begin; i < p.Tq; i++) {
      accK += dS[e] * q[o];
      accV += probs[e] * dOut[o];
      e += p.Tk;
      o += Dv;
    }
  }
  dk[idx] += accK;
  dv[idx] += accV;
}
