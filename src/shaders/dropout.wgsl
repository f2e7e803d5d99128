// Dropout with a counter-based mask (needs rng.wgsl prepended): element i is kept iff
// randomBits(stepSeed(state.seed, state.step), stream, i) >= threshold (= p * 2^32), and kept
// values are scaled by 1 / (1 - p). The mask is recomputed, never stored, so backward is the same
// kernel: forward out = x * mask (overwrite); backward dx += dOut * mask (accumulate = 1).
// Bindings: 0 x or dOut [n] (read), 1 out or dx [n] (read_write), 2 state StepState (read),
//           3 params { n, threshold, scale, stream, accumulate, base } (base: index of element 0 of
//           this dispatch in the whole tensor, when a large tensor is split over several bindings), stride
//           (grid-stride loop).
struct StepState { step: u32, seed: u32, lr: f32, reserved: u32 }
struct Params { n: u32, threshold: u32, scale: f32, stream: u32, accumulate: u32, base: u32, stride: u32 }
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> state: StepState;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = (wid.x + wid.y * nwg.x) * 256u + lid; i < p.n; i += p.stride) {
    let keep = randomBits(stepSeed(state.seed, state.step), p.stream, p.base + i) >= p.threshold;
    let value = select(0.0, src[i] * p.scale, keep);
    if (p.accumulate != 0u) { dst[i] += value; } else { dst[i] = value; }
  }
}
