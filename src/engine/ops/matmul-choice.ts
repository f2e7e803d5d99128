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

/**
 * Used until tuneMatmul runs (the app may never call it): per driver, what tuning measured on the
 * software drivers (timings in the tuning cache, 3 runs on lavapipe, 1 on SwiftShader). The old
 * single default (vec4.4x4.wg8x8, tiled.32x32x16.4x4) lost to these by 1.1-2.7x per class there.
 */
export function defaultMatmulChoice(ctx: GpuContext): MatmulChoice {
  const { driver, isFallbackAdapter } = ctx.report;
  // Barriers are costly on CPU SIMD lanes: register-blocked vec4; the 64x64 tiles as the fallback
  // (2-4x faster than 32x32 tiles on both drivers: fewer barriers per flop).
  const fallback = 'tiled.64x64x8.8x8';
  let byClass: Record<ShapeClass, ClassChoice>;
  if (driver === 'swiftshader') {
    // 4-wide lanes: one row of 16 invocations per workgroup shares A's rows (loaded once).
    byClass = {
      small: { best: 'vec4.8x4.wg8x8', fallback },
      medium: { best: 'vec4.8x4.wg16x1', fallback },
      large: { best: 'vec4.8x4.wg16x1', fallback },
    };
  } else if (driver === 'lavapipe' || isFallbackAdapter) {
    const pick = { best: 'vec4.8x4.wg8x8', fallback };
    byClass = { small: { ...pick }, medium: { ...pick }, large: { ...pick } };
  } else {
    // GPUs like shared tiles.
    const pick = { best: 'tiled.64x64x8.8x8', fallback: 'tiled.64x64x8.8x8' };
    byClass = { small: { ...pick }, medium: { ...pick }, large: { ...pick } };
  }
  return { byClass, source: 'default' };
}

export function getMatmulChoice(ctx: GpuContext): MatmulChoice {
  let choice = choices.get(ctx);
  if (!choice) choices.set(ctx, (choice = defaultMatmulChoice(ctx)));
  return choice;
}

export function setMatmulChoice(ctx: GpuContext, choice: MatmulChoice): void {
  choices.set(ctx, choice);
}
