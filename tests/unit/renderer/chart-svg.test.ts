// @vitest-environment happy-dom
import { describe, expect, test } from 'vitest';
import { chartSvg, logTicks, niceTicks } from '../../../src/renderer/lib/charts/chartSvg.ts';

const train = { label: 'train loss', color: '#4e79a7', points: [{ x: 0, y: 4.2 }, { x: 100, y: 2.5 }, { x: 200, y: 2.1 }, { x: 300, y: 1.9 }] };
const val = { label: 'val loss <é&"中">', color: '#f28e2b', dashed: true, points: [{ x: 0, y: 4.3 }, { x: 300, y: 2.0 }] };

function parse(svg: string): Document {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  expect(doc.querySelector('parsererror')).toBeNull();
  return doc;
}

/** Screen coordinates of a polyline's points. */
function coords(el: Element): { x: number; y: number }[] {
  return el.getAttribute('points')!.trim().split(/\s+/).map((p) => {
    const [x, y] = p.split(',').map(Number);
    return { x, y };
  });
}

describe('chart SVG export', () => {
  test('nice ticks are round steps covering the range', () => {
    expect(niceTicks(0, 300, 6)).toEqual([0, 50, 100, 150, 200, 250, 300]);
    expect(niceTicks(1.9, 4.3, 5)).toEqual([2, 2.5, 3, 3.5, 4]);
    expect(niceTicks(0.013, 0.058, 4)).toEqual([0.02, 0.04]);
    expect(niceTicks(0.013, 0.058, 8)).toEqual([0.02, 0.03, 0.04, 0.05]);
    expect(logTicks(0.5, 30)).toEqual([1, 10]);
    expect(logTicks(1.9, 4.3)).toEqual([2]);
  });

  test('one polyline per line with every point, in order, mapped linearly; legend, ticks and caption', () => {
    const caption = 'loss · demo-gpt-en · step 300 · train loss, val loss';
    const doc = parse(chartSvg({ lines: [train, val], xLabel: 'step', caption, width: 720, height: 360 }));
    const series = [...doc.querySelectorAll('polyline.series')];
    expect(series.map((s) => s.getAttribute('data-label'))).toEqual([train.label, val.label]);
    expect(series[1].getAttribute('stroke-dasharray')).toBe('5 4');
    expect(series[0].getAttribute('stroke-dasharray')).toBeNull();
    const a = coords(series[0]);
    expect(a).toHaveLength(train.points.length);
    // Equal x steps give equal screen steps; a lower loss is lower on screen (larger y).
    expect(a[1].x - a[0].x).toBeCloseTo(a[2].x - a[1].x, 0);
    for (let i = 1; i < a.length; i++) expect(a[i].y).toBeGreaterThan(a[i - 1].y);
    // The extremes touch the plot's frame.
    const frame = doc.querySelector('rect.axes')!;
    const [fx, fy, fw, fh] = ['x', 'y', 'width', 'height'].map((k) => Number(frame.getAttribute(k)));
    expect(a[0].x).toBeCloseTo(fx, 0);
    expect(a[a.length - 1].x).toBeCloseTo(fx + fw, 0);
    const b = coords(series[1]);
    expect(b[0].y).toBeCloseTo(fy, 0); // 4.3 is the maximum
    expect(a[a.length - 1].y).toBeCloseTo(fy + fh, 0); // 1.9 is the minimum
    expect([...doc.querySelectorAll('text.x-tick')].map((t) => t.textContent)).toEqual(['0', '50', '100', '150', '200', '250', '300']);
    expect([...doc.querySelectorAll('text.y-tick')].map((t) => t.textContent)).toEqual(['2', '2.5', '3', '3.5', '4']);
    expect([...doc.querySelectorAll('g.legend text')].map((t) => t.textContent)).toEqual([train.label, val.label]);
    expect(doc.querySelector('text.caption')!.textContent).toBe(caption);
    expect(doc.querySelector('text.x-label')!.textContent).toBe('step');
  });

  test('a log scale drops points at or below 0 and spaces decades equally', () => {
    const line = { label: 'loss', color: '#000', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 10 }, { x: 3, y: 100 }] };
    const doc = parse(chartSvg({ lines: [line], xLabel: 'step', caption: 'c', logScale: true }));
    const p = coords(doc.querySelector('polyline.series')!);
    expect(p).toHaveLength(3);
    expect(p[0].y - p[1].y).toBeCloseTo(p[1].y - p[2].y, 0);
    expect([...doc.querySelectorAll('text.y-tick')].map((t) => t.textContent)).toEqual(['1', '2', '5', '10', '20', '50', '100']);
  });

  test('an empty chart is still a valid picture with its caption', () => {
    const doc = parse(chartSvg({ lines: [], xLabel: 'step', caption: 'nothing yet' }));
    expect(doc.querySelectorAll('polyline').length).toBe(0);
    expect(doc.querySelector('text.caption')!.textContent).toBe('nothing yet');
  });
});
