// A chart's canvas as a PNG with a caption line under it (which chart, which run, which step), on
// the page's background so a dark theme's light text stays readable.
export function captionedPng(chart: HTMLCanvasElement, caption: string, colors: { background: string; text: string }): Promise<Blob> {
  const scale = chart.width / Math.max(1, chart.clientWidth || chart.width);
  const band = Math.round(26 * scale);
  const out = document.createElement('canvas');
  out.width = chart.width;
  out.height = chart.height + band;
  const ctx = out.getContext('2d');
  if (!ctx) return Promise.reject(new Error('no 2D canvas to draw the picture on'));
  ctx.fillStyle = colors.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(chart, 0, 0);
  ctx.fillStyle = colors.text;
  ctx.font = `${Math.round(12 * scale)}px 'Noto Sans', 'Noto Sans CJK SC', sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.fillText(caption, Math.round(8 * scale), chart.height + band / 2, out.width - Math.round(16 * scale));
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode a PNG'))), 'image/png'));
}
