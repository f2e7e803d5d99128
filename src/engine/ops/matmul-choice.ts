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
 * software drivers (lavapipe: 8 or 16 lanes by SIMD width, SwiftShader: 4). The subgroup variants
 * beat the best register-blocked vec4 variant by 2-4x on lavapipe and ~3x on SwiftShader, because
 * those drivers pay a bounds-checked scalar load per lane and the broadcast shares A's loads.
 */
export function defaultMatmulChoice(ctx: GpuContext): MatmulChoice {
  const { driver, isFallbackAdapter } = ctx.report;
  const { subgroups, subgroupMinSize } = ctx.features;
  // Barriers are costly on CPU SIMD lanes: the 64x64 tiles are the fallback (2-4x faster than
  // 32x32 tiles on both drivers: fewer barriers per flop).
  const fallback = 'tiled.64x64x8.8x8';
  const all = (best: string): Record<ShapeClass, ClassChoice> => ({
    small: { best, fallback },
    medium: { best, fallback },
    large: { best, fallback },
  });
  let byClass: Record<ShapeClass, ClassChoice>;
  if (driver === 'swiftshader') {
    byClass = subgroups && subgroupMinSize >= 4 ? all('sg.16x4.r4.wg8') : all('vec4.8x4.wg16x1');
  } else if (driver === 'lavapipe' || isFallbackAdapter) {
    if (subgroups && subgroupMinSize >= 16) {
      // 512-bit SIMD: GpuContext sets LP_NATIVE_VECTOR_WIDTH=512 on AVX-512 CPUs (drivers.ts).
      byClass = { ...all('sg.48x4.r16.wg16'), small: { best: 'sg.32x4.r16.wg16', fallback } };
    } else if (subgroups && subgroupMinSize >= 8) {
      byClass = { ...all('sg.24x4.r8.wg8'), large: { best: 'sg.16x4.r8.wg8', fallback } };
    } else {
      byClass = all('vec4.8x4.wg8x8');
    }
  } else {
    // GPUs like shared tiles.
    const pick = 'tiled.64x64x8.8x8';
    byClass = { small: { best: pick, fallback: pick }, medium: { best: pick, fallback: pick }, large: { best: pick, fallback: pick } };
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
