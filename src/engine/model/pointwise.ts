// tanh and its gradient (BERT's pooler), which the op library does not have (yet). The WGSL is
// inline to keep to this folder; it belongs in src/shaders/ once the op owners take it over.
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, f32, groupsFor, kernelFor, packParams } from '../ops/util';

// Bindings: 0 x [n] (read; tanh input, or its output for backward), 1 dy [n] (read; forward binds x),
// 2 out [n] (read_write), 3 params { n, unused }.
const POINTWISE_WGSL = /* wgsl */ `
struct Params { n: u32, value: f32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

fn index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.x + wid.y * nwg.x) * 256u + lid; }

// out = tanh(x)
@compute @workgroup_size(256)
fn tanh_forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i < p.n) { out[i] = tanh(x[i]); }
}

// out += dy * (1 - y^2), x holding y = tanh(input)
@compute @workgroup_size(256)
fn tanh_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i < p.n) { out[i] += dy[i] * (1.0 - x[i] * x[i]); }
}
`;

const STORAGE = ['read', 'read', 'write'] as const;

/** y = tanh(x) */
export function tanhForward(rec: Recorder, y: Tensor /* [n] */, x: Tensor /* [n] */): void {
  const n = y.numel;
  expectNumel('tanhForward', 'x', x, n);
  kernelFor(rec, 'pointwise.tanh.forward', POINTWISE_WGSL, STORAGE, 'tanh_forward').record(rec, [x, x, y], groupsFor(rec, n, 256), packParams([n, f32(0)]));
}

/** dx += dy * (1 - y^2), from the forward's output y. */
export function tanhBackward(rec: Recorder, dx: Tensor /* [n] accumulated */, dy: Tensor /* [n] */, y: Tensor /* [n] */): void {
  const n = dx.numel;
  expectNumel('tanhBackward', 'dy', dy, n);
  expectNumel('tanhBackward', 'y', y, n);
  kernelFor(rec, 'pointwise.tanh.backward', POINTWISE_WGSL, STORAGE, 'tanh_backward').record(rec, [y, dy, dx], groupsFor(rec, n, 256), packParams([n, f32(0)]));
}
