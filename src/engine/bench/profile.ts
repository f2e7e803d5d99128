// Per-dispatch profile of a recorded schedule (e.g. one training step): each dispatch is replayed
// on its own, `reps` times in one pass, and its time is added to its label class (layer numbers and
// head indices folded, so '3.c_fc.dw.vec4…' and '0.c_fc.dw.vec4…' share a row). Wall time of a
// lone dispatch includes the queue's latency; the CPU column (process CPU time, software drivers
// compute on this process's threads) is the steadier one on a shared machine.
import type { GpuContext } from '../gpu/device';
import { type Dispatch, Recorder } from '../gpu/kernel';

export interface ProfileRow {
  /** The dispatch label with digits folded to '#'. */
  labelClass: string;
  dispatches: number;
  /** Summed over the class's dispatches, per replay. */
  wallMs: number;
  cpuMs: number;
}

export function labelClass(label: string): string {
  return label.replace(/\d+/g, '#');
}

export async function profileDispatches(ctx: GpuContext, dispatches: readonly Dispatch[], reps = 3): Promise<ProfileRow[]> {
  const rows = new Map<string, ProfileRow>();
  for (const d of dispatches) {
    // A recorder per dispatch: its completion estimate (Recorder.run sleeps on it) is this one's.
    const rec = new Recorder(ctx);
    for (let r = 0; r < reps; r++) rec.dispatches.push(d);
    await rec.run(); // warm: pipeline creation and first-touch costs stay out of the figure
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await rec.run();
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const key = labelClass(d.label);
    const row = rows.get(key) ?? { labelClass: key, dispatches: 0, wallMs: 0, cpuMs: 0 };
    row.dispatches++;
    row.wallMs += wall / reps;
    row.cpuMs += (cpu.user + cpu.system) / 1000 / reps;
    rows.set(key, row);
  }
  return [...rows.values()].sort((x, y) => y.cpuMs - x.cpuMs);
}

export function formatProfile(rows: readonly ProfileRow[]): string[] {
  const cpu = rows.reduce((t, r) => t + r.cpuMs, 0);
  const wall = rows.reduce((t, r) => t + r.wallMs, 0);
  const n = rows.reduce((t, r) => t + r.dispatches, 0);
  const lines = [`${'dispatch class'.padEnd(44)} ${'n'.padStart(4)} ${'wall ms'.padStart(9)} ${'cpu ms'.padStart(9)} ${'cpu %'.padStart(6)}`];
  for (const r of rows) {
    lines.push(`${r.labelClass.padEnd(44)} ${String(r.dispatches).padStart(4)} ${r.wallMs.toFixed(1).padStart(9)} ${r.cpuMs.toFixed(1).padStart(9)} ${((100 * r.cpuMs) / cpu).toFixed(1).padStart(6)}`);
  }
  lines.push(`${'total'.padEnd(44)} ${String(n).padStart(4)} ${wall.toFixed(1).padStart(9)} ${cpu.toFixed(1).padStart(9)}`);
  return lines;
}
