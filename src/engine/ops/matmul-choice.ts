// Which matmul variant runs on this device, per shape class. Filled by matmul-tune.ts (measured or
// read from the on-disk cache) or by setMatmulChoice (an override); until then a default by driver.
import type { GpuContext } from '../gpu/device';

export type ShapeClass = 'small' | 'medium' | 'large';
export const SHAPE_CLASSES: readonly ShapeClass[] = ['small', 'medium', 'large'];

export interface ClassChoice {
  /** Fastest variant for this class. */
  best: string;
  /** Fastest variant without vec4 alignment needs: used when an operand's strides forbid vec4. */
  fallback: string;
}

export interface MatmulChoice {
  byClass: Record<ShapeClass, ClassChoice>;
  source: 'default' | 'measured' | 'cache' | 'override';
  /** Best-of-samples ms per variant and class, when measured. */
  timings?: Record<string, Record<string, number>>;
}

/** By work (2·M·N·K·batch): small below 128³·2, large from 512³·2 (the tuning shapes sit inside). */
export function shapeClass(m: number, n: number, k: number, batch: number): ShapeClass {
  const flops = 2 * m * n * k * batch;
  if (flops < 2 * 128 ** 3) return 'small';
  if (flops < 2 * 512 ** 3) return 'medium';
  return 'large';
}

const choices = new WeakMap<GpuContext, MatmulChoice>();

export function defaultMatmulChoice(ctx: GpuContext): MatmulChoice {
  // Software drivers run on CPU SIMD lanes where barriers are costly; GPUs like shared tiles.
  const software = ctx.report.driver === 'lavapipe' || ctx.report.driver === 'swiftshader' || ctx.report.isFallbackAdapter;
  const pick: ClassChoice = software
    ? { best: 'vec4.4x4.wg8x8', fallback: 'tiled.32x32x16.4x4' }
    : { best: 'tiled.64x64x8.8x8', fallback: 'tiled.64x64x8.8x8' };
  return { byClass: { small: { ...pick }, medium: { ...pick }, large: { ...pick } }, source: 'default' };
}

export function getMatmulChoice(ctx: GpuContext): MatmulChoice {
  let choice = choices.get(ctx);
  if (!choice) choices.set(ctx, (choice = defaultMatmulChoice(ctx)));
  return choice;
}

export function setMatmulChoice(ctx: GpuContext, choice: MatmulChoice): void {
  choices.set(ctx, choice);
}
