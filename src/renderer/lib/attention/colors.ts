// Colour scales for attention maps. Perceptually ordered scales (viridis, magma) read the same in
// light and dark themes; 'blues' is the classic white-to-blue heatmap; 'rdbu' is diverging (blue
// below zero, white at zero, red above) for differences of two maps.

export type ScaleName = 'viridis' | 'magma' | 'blues' | 'rdbu';

/** Diverging scales take t in [-1, 1] (value / largest |value|) instead of [0, 1]. */
export function isDiverging(scale: ScaleName): boolean {
  return scale === 'rdbu';
}

type Rgb = readonly [number, number, number];

// Control points sampled from matplotlib's maps at 0, 1/8, …, 1.
const STOPS: Record<ScaleName, readonly Rgb[]> = {
  viridis: [
    [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
    [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
  ],
  magma: [
    [0, 0, 4], [28, 16, 68], [79, 18, 123], [129, 37, 129], [181, 54, 122],
    [229, 80, 100], [251, 135, 97], [254, 194, 135], [252, 253, 191],
  ],
  blues: [
    [247, 251, 255], [222, 235, 247], [198, 219, 239], [158, 202, 225], [107, 174, 214],
    [66, 146, 198], [33, 113, 181], [8, 81, 156], [8, 48, 107],
  ],
  // matplotlib's RdBu reversed: -1 dark blue, 0 white, +1 dark red.
  rdbu: [
    [5, 48, 97], [33, 102, 172], [103, 169, 207], [209, 229, 240], [247, 247, 247],
    [253, 219, 199], [239, 138, 98], [178, 24, 43], [103, 0, 31],
  ],
};

/** RGB of t in [0, 1] ([-1, 1] on a diverging scale; clamped) on `scale`, linearly interpolated between control points. */
export function scaleRgb(t: number, scale: ScaleName = 'viridis'): [number, number, number] {
  const stops = STOPS[scale];
  const u = Number.isFinite(t) ? (isDiverging(scale) ? (t + 1) / 2 : t) : isDiverging(scale) ? 0.5 : 0;
  const x = Math.min(1, Math.max(0, u)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

export function scaleColor(t: number, scale: ScaleName = 'viridis'): string {
  const [r, g, b] = scaleRgb(t, scale);
  return `rgb(${r},${g},${b})`;
}

/** Black or white, whichever reads better on the colour of t. */
export function textColorOn(t: number, scale: ScaleName = 'viridis'): string {
  const [r, g, b] = scaleRgb(t, scale);
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#000' : '#fff';
}

/** Largest |value| of a map: the ends of a diverging scale. */
export function maxAbsOf(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}

/** Largest value of a map, used to stretch the scale (attention maps rarely reach 1). */
export function maxOf(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  return max;
}

/** Font stack for token labels: CJK must never render as tofu. */
export const TOKEN_FONT =
  "'Noto Sans', 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif";
