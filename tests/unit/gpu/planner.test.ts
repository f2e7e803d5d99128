// The lifetime planner: tensors live at the same dispatch of any recording never share a buffer,
// inputs/outputs/unknowns are pinned, sharing makes the total smaller, the recorded values are
// right when buffers are shared, a replay allocates nothing, and what the plan cannot serve (a
// host read of a shared tensor, a late recording) is refused by name.
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { dryRunContext } from '../../../src/engine/gpu/dry-run';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { assignBuffers, liveTogether, noteUse, type PlannedBuffer, pinReason, PoolGroup } from '../../../src/engine/gpu/planner';
import { ArenaPlan } from '../../../src/engine/model/arena';
import { scaleForward } from '../../../src/engine/ops/scale';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

function randomSchedule(seed: number) {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const group = PoolGroup.open(dryRunContext());
  const recorders = [{}, {}, {}];
  const tensors: PlannedBuffer[] = [];
  for (let i = 0; i < 60; i++) {
    const t = group.add(`t${i}`, [i], 16 * (1 + Math.floor(rand() * 300)), group);
    for (const rec of recorders) {
      if (rand() < 0.4) continue;
      const first = Math.floor(rand() * 40);
      noteUse(t, rec, first, rand() < 0.1 ? 'read' : 'write');
      noteUse(t, rec, first + 1 + Math.floor(rand() * 8), rand() < 0.1 ? 'write' : 'read');
    }
    if (rand() < 0.05) t.pinRequested = true;
    tensors.push(t);
  }
  return tensors;
}

test('tensors live together in any recording never share; pinned ones are alone; sharing saves memory', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const tensors = randomSchedule(seed);
    const pools = assignBuffers(tensors);
    expect(pools.flatMap((p) => p.members).sort((a, b) => a.label.localeCompare(b.label))).toEqual([...tensors].sort((a, b) => a.label.localeCompare(b.label)));
    const clashes: string[] = [];
    for (const p of pools) {
      if (p.pinned || p.members.some((m) => pinReason(m))) expect(p.members).toHaveLength(1);
      for (const m of p.members) expect(p.size).toBeGreaterThanOrEqual(m.size);
      for (let i = 0; i < p.members.length; i++) {
        for (let j = i + 1; j < p.members.length; j++) {
          if (liveTogether(p.members[i], p.members[j])) clashes.push(`${p.members[i].label} and ${p.members[j].label} (seed ${seed})`);
        }
      }
    }
    expect(clashes).toEqual([]);
    const pooled = pools.reduce((s, p) => s + p.size, 0);
    expect(pooled).toBeLessThan(tensors.reduce((s, t) => s + t.size, 0));
  }
});

test('a chain a→b→c→d in one recording needs two buffers; each recording is its own timeline', () => {
  const group = PoolGroup.open(dryRunContext());
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((l) => group.add(l, [256], 1024, group));
  const rec = {};
  // t_i is written at dispatch i and read at i+1; d is read at the end (a loss, say).
  [a, b, c, d].forEach((t, i) => noteUse(t, rec, i, 'write'));
  [a, b, c, d].forEach((t, i) => noteUse(t, rec, i + 1, 'read'));
  const pools = assignBuffers([a, b, c, d]);
  expect(pools.map((p) => p.members.map((m) => m.label).join())).toEqual(['a,c', 'b,d']);
  // A second recording where a and c are live at once keeps them apart.
  const other = {};
  noteUse(a, other, 0, 'write');
  noteUse(c, other, 1, 'write');
  noteUse(a, other, 2, 'read');
  noteUse(c, other, 2, 'read');
  expect(assignBuffers([a, b, c, d]).some((p) => p.members.includes(a) && p.members.includes(c))).toBe(false);
});

test('inputs, outputs and tensors no recording used are pinned', () => {
  const group = PoolGroup.open(dryRunContext());
  const rec = {};
  const input = group.add('input', [4], 16, group);
  const output = group.add('output', [4], 16, group);
  const unused = group.add('unused', [4], 16, group);
  const inner = group.add('inner', [4], 16, group);
  noteUse(input, rec, 0, 'read');
  noteUse(inner, rec, 0, 'write');
  noteUse(inner, rec, 1, 'read');
  noteUse(output, rec, 1, 'write');
  expect(pinReason(input)).toMatch(/read before written/);
  expect(pinReason(output)).toMatch(/written last in every recording/);
  // Read last in another recording: an intermediate whose final write here is dead (evaluation's dlogits).
  const other = {};
  noteUse(output, other, 0, 'write');
  noteUse(output, other, 1, 'read');
  expect(pinReason(output)).toBeUndefined();
  expect(pinReason(unused)).toMatch(/no recording/);
  expect(pinReason(inner)).toBeUndefined();
  inner.pinRequested = true;
  expect(pinReason(inner)).toMatch(/by name/);
});

/** x (input) -> a -> b -> c -> y (output), each ×2, recorded in one recorder from an arena. */
function chain() {
  const plan = new ArenaPlan('chain');
  for (const n of ['x', 'a', 'b', 'c', 'y']) plan.add(n, [1000]);
  const arena = plan.allocate(ctx);
  const t = (n: string) => arena.get(n);
  const rec = new Recorder(ctx, 'chain');
  scaleForward(rec, t('a'), t('x'), 2);
  scaleForward(rec, t('b'), t('a'), 2);
  scaleForward(rec, t('c'), t('b'), 2);
  scaleForward(rec, t('y'), t('c'), 2);
  return { arena, rec, t };
}

test('shared buffers give the right values, are created at finish, and a replay allocates nothing', async () => {
  const { arena, rec, t } = chain();
  const before = ctx.buffersCreated;
  rec.finish();
  // x and y pinned (input, output); a and c share; b alone (live with both).
  expect(ctx.buffersCreated - before).toBe(4);
  expect(t('a').planned!.pooled).toBe(t('c').planned!.pooled);
  expect(t('b').planned!.pooled).not.toBe(t('a').planned!.pooled);
  expect(arena.bytes).toBe(4 * 4000);
  const xs = Float32Array.from({ length: 1000 }, (_, i) => i - 500);
  t('x').write(xs);
  const created = ctx.buffersCreated;
  await rec.run();
  await rec.run();
  expect(ctx.buffersCreated).toBe(created);
  const y = await t('y').read();
  for (let i = 0; i < 1000; i += 97) expect(y[i]).toBe(16 * xs[i]);
  // a's value did not survive the recording (c overwrote it): reading it is refused by name.
  await expect(t('a').read()).rejects.toThrow(/'chain\.a' \[1000\].*shares its GPU buffer by lifetime \(with chain\.c\)/);
  rec.destroy();
  arena.destroy();
});

test('a recording made after the plan is refused if it needs a shared tensor to hold a value', () => {
  const { arena, rec, t } = chain();
  rec.finish();
  const late = new Recorder(ctx, 'late');
  scaleForward(late, t('y'), t('b'), 3); // b is read before it is written in this recording
  expect(() => late.finish()).toThrow(/late: this recording reads it before writing it, but 'chain\.b' \[1000\] shares its buffer/);
  const clash = new Recorder(ctx, 'clash');
  scaleForward(clash, t('a'), t('x'), 1);
  scaleForward(clash, t('c'), t('x'), 1);
  scaleForward(clash, t('y'), t('a'), 1); // a read after c was written: a and c live at once
  scaleForward(clash, t('y'), t('c'), 1);
  expect(() => clash.finish()).toThrow(/'chain\.(a|c)' \[1000\] and 'chain\.(a|c)' \[1000\] share one buffer .* live at once/);
  for (const r of [rec, late, clash]) r.destroy();
  arena.destroy();
});

test('arenas allocated together are planned together; a shared buffer goes with the last arena using it', async () => {
  const p1 = new ArenaPlan('one');
  const p2 = new ArenaPlan('two');
  for (const n of ['x', 'h', 'y']) p1.add(n, [64]);
  for (const n of ['g', 'k']) p2.add(n, [64]);
  const one = p1.allocate(ctx);
  const two = p2.allocate(ctx);
  const rec = new Recorder(ctx, 'two arenas');
  scaleForward(rec, one.get('h'), one.get('x'), 2); // 0: h born
  scaleForward(rec, two.get('g'), one.get('h'), 2); // 1: h dies, g born
  scaleForward(rec, two.get('k'), two.get('g'), 2); // 2: k born: h's buffer is free
  scaleForward(rec, one.get('y'), two.get('k'), 2); // 3
  rec.finish();
  const shared = one.get('h').planned!.pooled!;
  expect(two.get('k').planned!.pooled).toBe(shared);
  one.get('x').write(new Float32Array(64).fill(1));
  await rec.run();
  expect((await one.get('y').read())[5]).toBe(16);
  const destroyed = vi.spyOn(shared.buffer, 'destroy');
  one.destroy();
  expect(destroyed).not.toHaveBeenCalled(); // k (arena two) still holds it
  two.destroy();
  expect(destroyed).toHaveBeenCalledTimes(1);
  rec.destroy();
});
