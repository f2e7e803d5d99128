// The projector's screen geometry and its exported picture: 2D keeps proportions and fits the
// plot, 3D turns about the centre without leaving it, hit testing finds the nearest dot, and the
// SVG carries every point, the legend and the caption (escaped).
import { expect, test } from 'vitest';
import { drawOrder, hitTest, toScreen } from '../../../src/renderer/lib/projector/geometry';
import { projectorSvg } from '../../../src/renderer/lib/projector/svg';
import { findPoint } from '../../../src/renderer/state/projector.svelte';

test('2D: one scale for both axes, y up, the bounding box centred in the plot', () => {
  const s = toScreen([0, 0, 2, 0, 0, 1], 2, 220, 120, 10);
  // Range x 2, y 1 in a 200 x 100 box: scale 100 both ways.
  expect(Array.from(s.x)).toEqual([10, 210, 10]);
  expect(Array.from(s.y)).toEqual([110, 110, 10]);
});

test('3D: turning keeps every point inside the plot, at the same distance from the centre', () => {
  const coords = [1, 0, 0, 0, 1, 0, 0, 0, 1, -1, -1, -1];
  const scale = 100 / Math.sqrt(3); // half the plot over the largest radius (the last point's)
  for (const camera of [{ yaw: 0, pitch: 0 }, { yaw: 1, pitch: 0.5 }, { yaw: -2.5, pitch: -1.2 }]) {
    const s = toScreen(coords, 3, 200, 200, 0, camera);
    for (let i = 0; i < 4; i++) {
      const p = coords.slice(i * 3, i * 3 + 3);
      expect(Math.hypot(s.x[i] - 100, s.y[i] - 100, s.depth[i] * scale)).toBeCloseTo(Math.hypot(...p) * scale, 9);
      expect(Math.hypot(s.x[i] - 100, s.y[i] - 100)).toBeLessThanOrEqual(100 + 1e-9);
    }
  }
  // A quarter turn of yaw puts +x on the line of sight (screen centre); drawing goes far to near.
  const s = toScreen(coords, 3, 200, 200, 0, { yaw: Math.PI / 2, pitch: 0 });
  expect(s.x[0]).toBeCloseTo(100, 9);
  const order = drawOrder(s);
  for (let i = 1; i < order.length; i++) expect(s.depth[order[i]]).toBeGreaterThanOrEqual(s.depth[order[i - 1]]);
});

test('hit testing picks the nearest dot within the radius, else none', () => {
  const s = { x: Float64Array.of(10, 14, 100), y: Float64Array.of(10, 10, 100), depth: new Float64Array(3) };
  expect(hitTest(s, 11, 10)).toBe(0);
  expect(hitTest(s, 13, 11)).toBe(1);
  expect(hitTest(s, 50, 50)).toBeNull();
});

test('the SVG has a circle per point, labels, the legend and the escaped caption', () => {
  const screen = toScreen([0, 0, 1, 1, 2, 0], 2, 300, 200, 20);
  const svg = projectorSvg({
    width: 300, height: 200, screen, classes: ['han', 'latin', 'special'], texts: ['猫', 'cat', '[CLS]'],
    labelled: new Set([0, 1]), selected: 1, caption: 'run <a> · step 30 · “猫”',
  });
  expect(svg.match(/<circle /g)).toHaveLength(3 + 3); // points + legend dots
  expect(svg).toContain('>猫</text>');
  expect(svg).toContain('>cat</text>');
  expect(svg).not.toContain('>[CLS]</text>');
  expect(svg).toContain('run &lt;a&gt; · step 30 · “猫”');
  for (const c of ['Han', 'Latin', 'special']) expect(svg).toContain(`>${c}</text>`);
  expect(svg).toMatch(/width="300" height="244"/);
});

test('search finds an exact token or text first, then the text ignoring case', () => {
  const points = [
    { id: 0, token: '[CLS]', text: '[CLS]', cls: 'special' as const },
    { id: 1, token: 'Ġcat', text: 'cat', cls: 'latin' as const },
    { id: 2, token: 'Cat', text: 'Cat', cls: 'latin' as const },
    { id: 3, token: '猫', text: '猫', cls: 'han' as const },
  ];
  expect(findPoint(points, 'Cat')).toBe(2);
  expect(findPoint(points, ' cat ')).toBe(1);
  expect(findPoint(points, 'Ġcat')).toBe(1);
  expect(findPoint(points, 'CAT')).toBe(1);
  expect(findPoint(points, '猫')).toBe(3);
  expect(findPoint(points, 'dog')).toBeNull();
  expect(findPoint(points, '  ')).toBeNull();
});
