// y = alpha * x, elementwise: the smallest complete op (WGSL file, Kernel, one recorded
// dispatch), kept as the worked example of the Kernel/Recorder contract that its test checks.
import scaleWgsl from '../../shaders/scale.wgsl?raw';
import type { GpuContext } from '../gpu/device';
import { Kernel, type Recorder, splitWorkgroups } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';

export function scaleForward(rec: Recorder, y: Tensor, x: Tensor, alpha: number): void {
  const n = x.numel;
  const kernel = new Kernel(rec.ctx as GpuContext, { label: 'scale', code: scaleWgsl, storage: ['read', 'write'], uniform: true });
  const params = new DataView(new ArrayBuffer(8));
  params.setUint32(0, n, true);
  params.setFloat32(4, alpha, true);
  kernel.record(rec, [x, y], splitWorkgroups(Math.ceil(n / 64), rec.ctx.limits.maxComputeWorkgroupsPerDimension), params);
}
