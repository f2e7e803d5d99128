// The Node side of the engine-in-Chromium comparison: the same tiny training run (lab.ts) on Dawn's
// Node bindings, printed as JSON on stdout. Run with the Vulkan driver in VK_ICD_FILENAMES:
//   node --import tsx --import ./scripts/register-wgsl.mjs tests/e2e/engine-lab/node-train.ts 5
import { GpuContext } from '../../../src/engine/gpu/device.ts';
import { dawnGpuInstance } from '../../../src/engine/gpu/dawn.ts';
import { trainTiny } from './lab.ts';

const steps = Number(process.argv[2] ?? 5);
const ctx = await GpuContext.open({ gpu: dawnGpuInstance() });
const { losses, gradNorms } = await trainTiny(ctx, steps);
process.stdout.write(JSON.stringify({ adapter: ctx.report, losses, gradNorms }) + '\n');
ctx.destroy();
