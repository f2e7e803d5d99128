// Where each projected point lands on screen. 2D: the points' bounding box fitted to the plot with
// one scale for both axes (so distances keep their proportions), y up. 3D: the points centred on
// their bounding box's middle, turned by yaw (about the vertical axis) then pitch (about the
// horizontal one), and drawn orthographically, scaled by the largest radius so that no rotation
// pushes a point out of the plot; depth (towards the viewer positive) orders drawing.

import { TOKEN_CLASS_NAMES } from '../../../protocol/commands/embeddings.ts';

/** The engine's token classes, in legend order. */
export const TOKEN_CLASSES = TOKEN_CLASS_NAMES;
export type TokenClassName = (typeof TOKEN_CLASSES)[number];

/** Colour-blind-safe (Okabe-Ito) hues, one per class, readable on dark and light panels. */
export const CLASS_COLOURS: Record<TokenClassName, string> = {
  special: '#e69f00',
  han: '#d55e00',
  latin: '#56b4e9',
  digit: '#009e73',
  punctuation: '#cc79a7',
  other: '#999999',
};

export const CLASS_LABELS: Record<TokenClassName, string> = {
  special: 'special',
  han: 'Han',
  latin: 'Latin',
  digit: 'digit',
  punctuation: 'punctuation',
  other: 'other',
};

export interface Camera {
  /** Radians about the vertical axis. */
  yaw: number;
  /** Radians about the horizontal axis. */
  pitch: number;
}

export interface ScreenPoints {
  x: Float64Array;
  y: Float64Array;
  /** 3D: towards the viewer is larger; 2D: all 0. */
  depth: Float64Array;
}

/** `coords`: [n, dims] row-major (dims 2 or 3); a plot of width × height with `pad` pixels kept free. */
export function toScreen(coords: ArrayLike<number>, dims: number, width: number, height: number, pad: number, camera: Camera = { yaw: 0, pitch: 0 }): ScreenPoints {
  const n = Math.floor(coords.length / dims);
  const x = new Float64Array(n), y = new Float64Array(n), depth = new Float64Array(n);
  if (n === 0) return { x, y, depth };
  const lo = new Array<number>(dims).fill(Infinity), hi = new Array<number>(dims).fill(-Infinity);
  for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) {
    lo[c] = Math.min(lo[c], coords[i * dims + c]);
    hi[c] = Math.max(hi[c], coords[i * dims + c]);
  }
  const mid = lo.map((l, c) => (l + hi[c]) / 2);
  const w = Math.max(1, width - 2 * pad), h = Math.max(1, height - 2 * pad);
  if (dims === 2) {
    const scale = Math.min(w / Math.max(hi[0] - lo[0], 1e-12), h / Math.max(hi[1] - lo[1], 1e-12));
    for (let i = 0; i < n; i++) {
      x[i] = width / 2 + (coords[i * 2] - mid[0]) * scale;
      y[i] = height / 2 - (coords[i * 2 + 1] - mid[1]) * scale;
    }
    return { x, y, depth };
  }
  let radius = 1e-12;
  for (let i = 0; i < n; i++) radius = Math.max(radius, Math.hypot(coords[i * 3] - mid[0], coords[i * 3 + 1] - mid[1], coords[i * 3 + 2] - mid[2]));
  const scale = Math.min(w, h) / 2 / radius;
  const cy = Math.cos(camera.yaw), sy = Math.sin(camera.yaw), cp = Math.cos(camera.pitch), sp = Math.sin(camera.pitch);
  for (let i = 0; i < n; i++) {
    const px = coords[i * 3] - mid[0], py = coords[i * 3 + 1] - mid[1], pz = coords[i * 3 + 2] - mid[2];
    const rx = cy * px + sy * pz; // yaw
    const rz = -sy * px + cy * pz;
    const ry = cp * py - sp * rz; // pitch
    depth[i] = sp * py + cp * rz;
    x[i] = width / 2 + rx * scale;
    y[i] = height / 2 - ry * scale;
  }
  return { x, y, depth };
}

/** Indices in drawing order: farthest first, so nearer points cover them. */
export function drawOrder(screen: ScreenPoints): number[] {
  return Array.from(screen.depth.keys()).sort((a, b) => screen.depth[a] - screen.depth[b] || a - b);
}

/** The point nearest to (px, py) within `radius` pixels, nearest to the viewer on a tie; null if none. */
export function hitTest(screen: ScreenPoints, px: number, py: number, radius = 8): number | null {
  let best: number | null = null;
  let bestD = radius * radius;
  for (let i = 0; i < screen.x.length; i++) {
    const d = (screen.x[i] - px) ** 2 + (screen.y[i] - py) ** 2;
    if (d < bestD || (d === bestD && best !== null && screen.depth[i] > screen.depth[best])) {
      best = i;
      bestD = d;
    }
  }
  return best;
}
