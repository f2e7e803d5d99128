// Fused log-softmax + cross-entropy with an ignore index, in three entry points on one bind set:
//   `count`  (1 workgroup): stats.count = #{n : targets[n] < V} (targets >= V, e.g. 0xffffffff, are ignored)
//   `rows`   (1 workgroup of 128 per row): losses[n] = logsumexp(logits[n]) - logits[n, t];
//            dlogits[n, :] = (softmax - onehot(t)) * gradScale / count (zeros, loss 0 for ignored rows);
//            correct[n] = 1 if the first argmax equals t.
//   `reduce` (1 workgroup): stats = { mean loss, count, correct, loss sum }, fixed-order sums.
// dlogits is OVERWRITTEN (it is where backward starts). Must not alias logits.
// Bindings: 0 logits [N, V], 1 targets [N] u32 (read), 2 losses [N], 3 dlogits [N, V], 4 stats [4],
//           5 correct [N] (read_write), 6 params { N, V, gradScale }.
struct Params { N: u32, V: u32, gradScale: f32 }
@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<u32>;
@group(0) @binding(2) var<storage, read_write> losses: array<f32>;
@group(0) @binding(3) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> correct: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

const WG: u32 = 128u;
var<workgroup> sums: array<vec2f, 128>;
var<workgroup> best: array<vec2f, 128>; // (value, index as f32; exact below 2^24)
var<workgroup> rowTarget: u32;

fn reduceSums(lid: u32, value: vec2f) -> vec2f {
  sums[lid] = value;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { sums[lid] += sums[lid + s]; }
    workgroupBarrier();
  }
  let r = sums[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(128)
fn count(@builtin(local_invocation_index) lid: u32) {
  var c = 0.0;
  for (var n = lid; n < p.N; n += WG) { c += select(0.0, 1.0, targets[n] < p.V); }
  let total = reduceSums(lid, vec2f(c, 0.0));
  if (lid == 0u) { stats[1] = total.x; }
}

@compute @workgroup_size(128)
fn rows(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.N) { return; }
  let base = row * p.V;
  if (lid == 0u) { rowTarget = targets[row]; }
  let t = workgroupUniformLoad(&rowTarget); // uniform, so ignored rows may return before the barriers
  if (t >= p.V) {
    for (var j = lid; j < p.V; j += WG) { dlogits[base + j] = 0.0; }
    if (lid == 0u) { losses[row] = 0.0; correct[row] = 0.0; }
    return;
  }
  var m = vec2f(-3.4e38, 0.0);
  for (var j = lid; j < p.V; j += WG) {
    let x = logits[base + j];
    if (x > m.x) { m = vec2f(x, f32(j)); } // strided order keeps the lowest index on ties
  }
  best[lid] = m;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let o = best[lid + s];
      let a = best[lid];
      if (o.x > a.x || (o.x == a.x && o.y < a.y)) { best[lid] = o; }
    }
    workgroupBarrier();
  }
  let top = best[0];
  var se = 0.0;
  for (var j = lid; j < p.V; j += WG) { se += exp(logits[base + j] - top.x); }
  let sum = reduceSums(lid, vec2f(se, 0.0)).x;
  let scale = p.gradScale / stats[1];
  let inv = 1.0 / sum;
  for (var j = lid; j < p.V; j += WG) {
    let prob = exp(logits[base + j] - top.x) * inv;
    dlogits[base + j] = (prob - select(0.0, 1.0, j == t)) * scale;
  }
  if (lid == 0u) {
    losses[row] = log(sum) + top.x - logits[base + t];
    correct[row] = select(0.0, 1.0, u32(top.y) == t);
  }
}

@compute @workgroup_size(128)
fn reduce(@builtin(local_invocation_index) lid: u32) {
  var acc = vec2f(0.0);
  for (var n = lid; n < p.N; n += WG) { acc += vec2f(losses[n], correct[n]); }
  let total = reduceSums(lid, acc);
  if (lid == 0u) {
    let count = stats[1];
    stats[0] = select(0.0, total.x / count, count > 0.0);
    stats[2] = total.y;
    stats[3] = total.x;
  }
}

// Variant of `rows` for CPU adapters: one thread per row, no workgroup barriers (dispatch ceil(N / 64)).
@compute @workgroup_size(64)
fn rows_per_thread(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (row >= p.N) { return; }
  let base = row * p.V;
  let t = targets[row];
  if (t >= p.V) {
    for (var j = 0u; j < p.V; j++) { dlogits[base + j] = 0.0; }
    losses[row] = 0.0;
    correct[row] = 0.0;
    return;
  }
  var m = -3.4e38;
  var argmax = 0u;
  for (var j = 0u; j < p.V; j++) {
    let x = logits[base + j];
    if (x > m) { m = x; argmax = j; } // strict: the first maximum wins, as torch.argmax
  }
  var sum = 0.0;
  for (var j = 0u; j < p.V; j++) { sum += exp(logits[base + j] - m); }
  let scale = p.gradScale / stats[1];
  let inv = 1.0 / sum;
  for (var j = 0u; j < p.V; j++) {
    dlogits[base + j] = (exp(logits[base + j] - m) * inv - select(0.0, 1.0, j == t)) * scale;
  }
  losses[row] = log(sum) + m - logits[base + t];
  correct[row] = select(0.0, 1.0, argmax == t);
}
