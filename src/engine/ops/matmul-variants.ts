// The numbered matmul kernels (llm.c `dev/cuda` style): every variant computes the same thing, is
// checked against the same float64 reference, and is timed per adapter; matmul-tune.ts picks one.
//   0 naive          one invocation per output; the baseline
//   1 vec4.TMx4      register-blocked vec4, no workgroup memory (software Vulkan rewards this)
//   2 tiled.BMxBN    workgroup-memory tiles (real GPUs reward this); any stride, the fallback
//   3 sg.TMx4.rR     variant 1 with A's rows loaded once per R lanes and shared by subgroupBroadcast
//                    (CPU drivers pay per lane for every load); needs subgroups of >= R lanes
// Tile shapes are substituted into the WGSL `const` lines, so one source file serves several shapes.
import type { FeatureSet } from '../gpu/device';
import blockedWgsl from '../../shaders/matmul_blocked.wgsl?raw';
import commonWgsl from '../../shaders/matmul_common.wgsl?raw';
import naiveWgsl from '../../shaders/matmul_naive.wgsl?raw';
import subgroupWgsl from '../../shaders/matmul_subgroup.wgsl?raw';
import tiledWgsl from '../../shaders/matmul_tiled.wgsl?raw';
import vec4Wgsl from '../../shaders/matmul_vec4.wgsl?raw';

export type MatmulFamily = 'naive' | 'vec4' | 'tiled' | 'subgroup';

export interface MatmulVariant {
  /** Stable name, used in labels, benchmarks and the tuning cache, e.g. 'vec4.4x4'. */
  name: string;
  family: MatmulFamily;
  code: string;
  /** Needs leading dims, strides and offsets that are multiples of 4 (vec4 loads and stores). */
  vec4: boolean;
  /** Rows and columns of C computed by one workgroup. */
  tileRows: number;
  tileCols: number;
  /** Subgroup lanes the kernel relies on (the adapter's minimum subgroup size must reach it). */
  subgroupLanes?: number;
  /** The same kernel storing C (and pre) as vec4: for C rows that start 16-byte aligned and N % 4 == 0. */
  codeVec4Store?: string;
}

/** A variant's source with matmul_common.wgsl (switches, params, bias, helpers) after its directives. */
function withCommon(code: string): string {
  const directives = code.match(/^(enable [^;]+;\n)*/)![0];
  return directives + commonWgsl + code.slice(directives.length);
}

/** Replaces `const NAME: u32 = ...;` lines of a WGSL source; throws if a name is missing. */
export function withConstants(code: string, values: Record<string, number>): string {
  let out = code;
  for (const [name, value] of Object.entries(values)) {
    const re = new RegExp(`^const ${name}: u32 = [^;]+;`, 'm');
    if (!re.test(out)) throw new Error(`matmul: WGSL has no 'const ${name}: u32' to substitute`);
    out = out.replace(re, `const ${name}: u32 = ${value}u;`);
  }
  return out;
}

/**
 * A register-blocked kernel (vec4, sg) with matmul_blocked.wgsl appended: its code with scalar
 * stores of C, and with vec4 stores (for C rows that start 16-byte aligned and N % 4 == 0).
 */
function withBlocked(kernel: string): { code: string; codeVec4Store: string } {
  const [shared, stores] = (kernel + '\n' + blockedWgsl).split('//--- store scalar\n');
  const [scalarStore, vec4Store] = stores.split('//--- store vec4\n');
  const body = withCommon(shared);
  return { code: body + scalarStore, codeVec4Store: body + vec4Store };
}

function vec4Variant(tm: number, wgX: number, wgY: number): MatmulVariant {
  return {
    name: `vec4.${tm}x4.wg${wgX}x${wgY}`,
    family: 'vec4',
    // Scalar stores only: this variant is the fallback where subgroups are missing, and every
    // store path is one more pipeline to compile (seconds each on a software driver).
    code: withBlocked(withConstants(vec4Wgsl, { TM: tm, WG_X: wgX, WG_Y: wgY })).code,
    vec4: true,
    tileRows: tm * wgY,
    tileCols: 4 * wgX,
  };
}

function subgroupVariant(tm: number, r: number, wgX: number): MatmulVariant {
  return {
    name: `sg.${tm}x4.r${r}.wg${wgX}`,
    family: 'subgroup',
    ...withBlocked(withConstants(subgroupWgsl, { TM: tm, R: r, WG_X: wgX })),
    vec4: true,
    tileRows: tm,
    tileCols: 4 * wgX,
    subgroupLanes: r,
  };
}

function tiledVariant(bm: number, bn: number, bk: number, tm: number, tn: number): MatmulVariant {
  return {
    name: `tiled.${bm}x${bn}x${bk}.${tm}x${tn}`,
    family: 'tiled',
    code: withCommon(withConstants(tiledWgsl, { BM: bm, BN: bn, BK: bk, TM: tm, TN: tn })),
    vec4: false,
    tileRows: bm,
    tileCols: bn,
  };
}

export const MATMUL_VARIANTS: readonly MatmulVariant[] = [
  { name: 'naive', family: 'naive', code: withCommon(naiveWgsl), vec4: false, tileRows: 8, tileCols: 8 },
  vec4Variant(4, 8, 8),
  vec4Variant(8, 8, 8),
  vec4Variant(4, 16, 1),
  vec4Variant(8, 16, 1),
  tiledVariant(32, 32, 16, 4, 4),
  tiledVariant(64, 64, 8, 8, 8),
  subgroupVariant(16, 8, 8),
  subgroupVariant(24, 8, 8),
  subgroupVariant(8, 4, 8),
  subgroupVariant(16, 4, 8),
  subgroupVariant(32, 16, 16),
  subgroupVariant(48, 16, 16),
];

/** Whether this device can run the variant (subgroup variants need the feature and enough lanes). */
export function variantSupported(v: MatmulVariant, features: FeatureSet): boolean {
  if (!v.subgroupLanes) return true;
  return features.subgroups && features.subgroupMinSize >= v.subgroupLanes;
}

export function matmulVariant(name: string): MatmulVariant {
  const v = MATMUL_VARIANTS.find((x) => x.name === name);
  if (!v) throw new Error(`matmul: unknown strategy '${name}' (known: ${MATMUL_VARIANTS.map((x) => x.name).join(', ')})`);
  return v;
}

/** Workgroups for an M x N x batch problem (before any split for the per-dimension limit). */
export function variantWorkgroups(v: MatmulVariant, m: number, n: number, batch: number): [number, number, number] {
  return [Math.ceil(n / v.tileCols), Math.ceil(m / v.tileRows), batch];
}
