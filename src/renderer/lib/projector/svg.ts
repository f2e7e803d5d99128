// The projector's picture as a standalone SVG document (for "Export SVG" and, rasterised, PNG):
// the points as the screen shows them (same camera), coloured by class, the labelled ones with
// their text, the legend, and a caption naming the run, step and what was projected.
import { CLASS_COLOURS, CLASS_LABELS, drawOrder, type ScreenPoints, TOKEN_CLASSES, type TokenClassName } from './geometry.ts';

export interface SvgInput {
  width: number;
  height: number;
  screen: ScreenPoints;
  classes: readonly TokenClassName[];
  texts: readonly string[];
  /** Points whose text is drawn beside them. */
  labelled: ReadonlySet<number>;
  /** The searched point, drawn ringed. */
  selected: number | null;
  caption: string;
  background?: string;
  foreground?: string;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CAPTION_HEIGHT = 44;

export function projectorSvg(o: SvgInput): string {
  const bg = o.background ?? '#ffffff', fg = o.foreground ?? '#1b1e25';
  const H = o.height + CAPTION_HEIGHT;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${H}" viewBox="0 0 ${o.width} ${H}" font-family="system-ui, 'Noto Sans', 'Noto Sans CJK SC', sans-serif">`,
    `<rect width="${o.width}" height="${H}" fill="${bg}"/>`,
  ];
  for (const i of drawOrder(o.screen)) {
    const x = o.screen.x[i].toFixed(1), y = o.screen.y[i].toFixed(1);
    parts.push(`<circle cx="${x}" cy="${y}" r="${i === o.selected ? 5 : 3}" fill="${CLASS_COLOURS[o.classes[i]]}"${i === o.selected ? ` stroke="${fg}" stroke-width="2"` : ''}><title>${escapeXml(o.texts[i])}</title></circle>`);
  }
  for (const i of o.labelled) {
    parts.push(`<text x="${(o.screen.x[i] + 6).toFixed(1)}" y="${(o.screen.y[i] - 6).toFixed(1)}" font-size="12" fill="${fg}">${escapeXml(o.texts[i])}</text>`);
  }
  let lx = 8;
  for (const c of TOKEN_CLASSES) {
    if (!o.classes.includes(c)) continue;
    parts.push(`<circle cx="${lx + 5}" cy="${o.height + 12}" r="5" fill="${CLASS_COLOURS[c]}"/><text x="${lx + 14}" y="${o.height + 16}" font-size="12" fill="${fg}">${CLASS_LABELS[c]}</text>`);
    lx += 24 + CLASS_LABELS[c].length * 7;
  }
  parts.push(`<text x="8" y="${o.height + 36}" font-size="12" fill="${fg}">${escapeXml(o.caption)}</text>`, '</svg>');
  return parts.join('\n');
}
