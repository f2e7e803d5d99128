import type { GpuContext } from '../../src/engine/gpu/device';

/**
 * The same context reporting a smaller maxStorageBufferBindingSize, so that splitting past the
 * binding limit (128 MiB on lavapipe, too large to test cheaply) runs on small tensors.
 */
export function withBindingLimit(ctx: GpuContext, bytes: number): GpuContext {
  const limits: Record<string, number> = {};
  for (const key in ctx.limits) limits[key] = ctx.limits[key as keyof typeof ctx.limits] as number; // accessors of the prototype
  limits.maxStorageBufferBindingSize = bytes;
  return new Proxy(ctx, {
    get(target, key) {
      if (key === 'limits') return limits;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
