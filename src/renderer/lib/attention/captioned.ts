// One exported picture from one or more standalone SVG views (side by side, each under its label)
// and a caption band under them naming what it shows: the run, the step, the sentence. Exports
// must carry their provenance: a heatmap file alone does not say which model or sentence it is.
import { escapeXml, labelWidth } from './heatmapSvg.ts';

export interface Panel {
  /** A standalone SVG document with numeric width and height on its root. */
  svg: string;
  /** A line above the panel (e.g. "A · run step 200"); none when absent. */
  label?: string;
}

const GAP = 16;
const FONT = 12;
const BAND = 22;

function sizeOf(svg: string): { width: number; height: number } {
  const root = /^\s*<svg\b[^>]*>/.exec(svg)?.[0];
  const num = (name: string) => Number(new RegExp(`\\s${name}="([\\d.]+)"`).exec(root ?? '')?.[1]);
  const width = num('width'), height = num('height');
  if (!root || !(width > 0) || !(height > 0)) throw new Error('captioned: a panel is not an SVG document with a width and height');
  return { width, height };
}

/** The panels placed left to right over a caption; the caption widens the picture if it is longer. */
export function captionedSvg(panels: readonly Panel[], caption: string, background = '#fff', foreground = '#222'): string {
  if (panels.length === 0) throw new Error('captioned: no panel to export');
  const sizes = panels.map((p) => sizeOf(p.svg));
  const labelBand = panels.some((p) => p.label) ? BAND : 0;
  const width = Math.ceil(Math.max(
    sizes.reduce((w, s) => w + s.width, 0) + GAP * (panels.length - 1),
    labelWidth(caption, FONT) + 16,
  ));
  const height = Math.ceil(labelBand + Math.max(...sizes.map((s) => s.height)) + BAND);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="${FONT}">`,
    `<title>${escapeXml(caption)}</title>`,
    `<rect width="100%" height="100%" fill="${background}"/>`,
  ];
  let x = 0;
  panels.forEach((p, i) => {
    if (p.label) out.push(`<text class="panel-label" x="${x + 4}" y="${labelBand - 7}" fill="${foreground}">${escapeXml(p.label)}</text>`);
    // A nested <svg> keeps the panel's own coordinates; only its position is added.
    out.push(p.svg.replace(/^\s*<svg\b/, `<svg x="${x}" y="${labelBand}"`));
    x += sizes[i].width + GAP;
  });
  out.push(`<text class="caption" x="8" y="${height - 7}" fill="${foreground}">${escapeXml(caption)}</text>`, '</svg>');
  return out.join('\n');
}
