// Layernorm parameter gradients, deterministic in two passes (no float atomics):
//   `partials`: one thread per (row chunk, channel) sums ROWS rows in order into
//               partial[chunk, 0, c] = sum dOut * xhat and partial[chunk, 1, c] = sum dOut;
//   `finish`:   one thread per channel sums the chunks in order and ACCUMULATES into dgamma, dbeta.
// Bindings: 0 dOut [N, C], 1 x [N, C], 2 mean [N], 3 rstd [N] (read), 4 partial [chunks, 2, C],
//           5 dgamma [C], 6 dbeta [C] (read_write), 7 params { N, C, chunks }.
// Needs elementwise_lanes.wgsl prepended: a thread owns `lanes` channels (vec4f when C % 4 == 0).
struct Params { N: u32, C: u32, chunks: u32 }
@group(0) @binding(0) var<storage, read> dOut: array<V>;
@group(0) @binding(1) var<storage, read> x: array<V>;
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(3) var<storage, read> rstd: array<f32>;
@group(0) @binding(4) var<storage, read_write> partial: array<V>;
@group(0) @binding(5) var<storage, read_write> dgamma: array<V>;
@group(0) @binding(6) var<storage, read_write> dbeta: array<V>;
@group(0) @binding(7) var<uniform> p: Params;

const ROWS: u32 = 64u;

// Dispatch: x = ceil(C / lanes / 64) channel blocks, y = chunks. Indices below count V elements.
@compute @workgroup_size(64)
fn partials(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let cols = p.C / lanes;
  let c = wid.x * 64u + lid;
  let chunk = wid.y;
  if (c >= cols) { return; }
  let end = min((chunk + 1u) * ROWS, p.N);
  var g = V(0.0);
  var bsum = V(0.0);
  for (var n = chunk * ROWS; n < end; n++) {
    let d = dOut[n * cols + c];
    g += d * (x[n * cols + c] - mean[n]) * rstd[n];
    bsum += d;
  }
  partial[chunk * 2u * cols + c] = g;
  partial[chunk * 2u * cols + cols + c] = bsum;
}

@compute @workgroup_size(64)
fn finish(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let cols = p.C / lanes;
  let c = wid.x * 64u + lid;
  if (c >= cols) { return; }
  var g = V(0.0);
  var bsum = V(0.0);
  for (var k = 0u; k < p.chunks; k++) {
    g += partial[k * 2u * cols + c];
    bsum += partial[k * 2u * cols + cols + c];
  }
  dgamma[c] += g;
  dbeta[c] += bsum;
}
