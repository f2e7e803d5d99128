// The row step of attention between its matmuls: masked, scaled softmax of the scores, in place,
// and its backward. Rows are (b, h, i) of a [B, H, Tq, Tk] tensor; key j is visible to query i
// iff j < kvLen[b] (when hasKvLen) and, if causal, j <= i, so a row's visible keys are j < end.
// Entry `forward`:  s <- softmax(scale * s) over the visible keys, 0 elsewhere (a row with no
//                   visible key becomes all zeros).
// Entry `backward`: g <- scale * P ⊙ (g - Σ_j g_j P_j), the gradient w.r.t. the unscaled scores
//                   q·kᵀ given g = dL/dP, 0 where invisible (P is 0 there).
// One thread per row: no workgroup barriers, which cost more than they save on CPU adapters.
// Bindings: 0 kvLen [B] u32 (read; unused unless hasKvLen), 1 probs [B,H,Tq,Tk] (read; backward
// only), 2 s or g [B,H,Tq,Tk] (read_write), 3 params { B, H, Tq, Tk, causal, hasKvLen, scale }.
struct Params { B: u32, H: u32, Tq: u32, Tk: u32, causal: u32, hasKvLen: u32, scale: f32 }
@group(0) @binding(0) var<storage, read> kvLen: array<u32>;
@group(0) @binding(1) var<storage, read> probs: array<f32>;
@group(0) @binding(2) var<storage, read_write> s: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

fn visibleEnd(b: u32, i: u32) -> u32 {
  var end = p.Tk;
  if (p.hasKvLen != 0u) { end = min(end, kvLen[b]); }
  if (p.causal != 0u) { end = min(end, i + 1u); }
  return end;
}

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.x + wid.y * nwg.x) * 64u + lid; // (b * H + h) * Tq + i
  if (row >= p.B * p.H * p.Tq) { return; }
  let end = visibleEnd(row / p.Tq / p.H, row % p.Tq);
  let base = row * p.Tk;
  var m = -3.4e38;
  for (var j = 0u; j < end; j++) { m = max(m, s[base + j]); }
  var sum = 0.0;
  for (var j = 0u; j < end; j++) {
    // scale > 0, so the row's largest scaled score is scale * m.
    let e = exp((s[base + j] - m) * p.scale);
    s[base + j] = e;
    sum += e;
  }
  let inv = select(0.0, 1.0 / sum, end > 0u);
  for (var j = 0u; j < end; j++) { s[base + j] *= inv; }
  for (var j = end; j < p.Tk; j++) { s[base + j] = 0.0; }
}

@compute @workgroup_size(64)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (row >= p.B * p.H * p.Tq) { return; }
  let end = visibleEnd(row / p.Tq / p.H, row % p.Tq);
  let base = row * p.Tk;
  var dot = 0.0;
  for (var j = 0u; j < end; j++) { dot += s[base + j] * probs[base + j]; }
  for (var j = 0u; j < end; j++) { s[base + j] = p.scale * probs[base + j] * (s[base + j] - dot); }
  for (var j = end; j < p.Tk; j++) { s[base + j] = 0.0; }
}
