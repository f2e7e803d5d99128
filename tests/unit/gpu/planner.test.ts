// The activation planner: no two tensors whose lifetimes intersect share bytes, offsets are
// 256-aligned, reuse makes the arena smaller than the sum, and the views really are separate memory.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Planner, type PlannedTensor } from '../../../src/engine/gpu/planner';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

function randomSchedule(seed: number) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const plan = new Planner();
  const steps = 40;
  const tensors: PlannedTensor[] = [];
  for (let i = 0; i < 60; i++) {
    const t = plan.tensor([1 + Math.floor(rand() * 300), 1 + Math.floor(rand() * 20)], `t${i}`);
    const first = Math.floor(rand() * steps);
    plan.use(t, first).use(t, first + Math.floor(rand() * 8));
    if (rand() < 0.1) plan.pin(t);
    tensors.push(t);
  }
  return { plan, tensors };
}

test('live tensors never overlap; offsets are 256-aligned; reuse saves memory', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const { plan } = randomSchedule(seed);
    const { placements, bytes, naiveBytes } = plan.place();
    const end = Math.max(...placements.map((p) => p.tensor.last));
    const span = (t: PlannedTensor) => (t.pinned ? [0, end] : [t.first, t.last]);
    for (const p of placements) {
      expect(p.offset % 256).toBe(0);
      expect(p.offset + p.bytes).toBeLessThanOrEqual(bytes);
      expect(p.bytes).toBeGreaterThanOrEqual(p.tensor.shape[0] * p.tensor.shape[1] * 4);
    }
    const clashes: string[] = [];
    for (let i = 0; i < placements.length; i++) {
      for (let j = i + 1; j < placements.length; j++) {
        const [x, y] = [placements[i], placements[j]];
        const [x0, x1] = span(x.tensor);
        const [y0, y1] = span(y.tensor);
        const liveTogether = x0 <= y1 && y0 <= x1;
        const shareBytes = x.offset < y.offset + y.bytes && y.offset < x.offset + x.bytes;
        if (liveTogether && shareBytes) clashes.push(`${x.tensor.label} and ${y.tensor.label} (seed ${seed})`);
      }
    }
    expect(clashes).toEqual([]);
    expect(bytes).toBeLessThan(naiveBytes);
  }
});

test('a chain a→b→c→d reuses a\'s space for c', () => {
  const plan = new Planner();
  const ts = ['a', 'b', 'c', 'd'].map((l) => plan.tensor([256], l));
  ts.forEach((t, i) => plan.use(t, i).use(t, i + 1)); // t_i is written at step i, read at i+1
  const { placements, bytes } = plan.place();
  expect(bytes).toBe(2 * 1024);
  expect(placements[2].offset).toBe(placements[0].offset);
});

test('allocate makes one buffer; views read back what was written to each', async () => {
  const { plan, tensors } = randomSchedule(7);
  const before = ctx.buffersCreated;
  const arena = plan.allocate(ctx);
  expect(ctx.buffersCreated).toBe(before + 1);
  // Tensors live at the same step must keep their own contents.
  const step = 10;
  const live = tensors.filter((t) => t.pinned || (t.first <= step && step <= t.last));
  expect(live.length).toBeGreaterThan(1);
  for (const t of live) arena.tensor(t).write(new Float32Array(arena.tensor(t).numel).fill(t.id));
  for (const t of live) {
    const got = await arena.tensor(t).read();
    expect(got.every((v) => v === t.id), t.label).toBe(true);
  }
  expect(() => arena.tensor(new Planner().tensor([1], 'stranger'))).toThrow(/stranger/);
  arena.destroy();
});
