// The Engine menu's "GPU adapter" submenu: WebGPU's two power preferences, then each adapter the
// engine found by name (gpu.adapters), the current choice checked. A saved name that the engine
// no longer finds stays listed (marked) so the person sees why the engine failed and can move off
// it. Electron types only: unit-tested under Node.
import type { MenuItemConstructorOptions } from 'electron';
import type { AdapterChoice, AdapterSummary } from '../protocol/index.ts';

const sameChoice = (a: AdapterChoice, b: AdapterChoice) =>
  typeof a === 'string' || typeof b === 'string' ? a === b : a.name.toLowerCase() === b.name.toLowerCase();

export function adapterMenuItems(
  adapters: readonly AdapterSummary[] | undefined,
  current: AdapterChoice,
  choose: (choice: AdapterChoice) => void,
): MenuItemConstructorOptions[] {
  const item = (label: string, choice: AdapterChoice): MenuItemConstructorOptions => ({
    label,
    type: 'radio',
    checked: sameChoice(choice, current),
    click: () => {
      if (!sameChoice(choice, current)) choose(choice);
    },
  });
  const named = (adapters ?? []).map((adapter) => {
    const notes = [adapter.isFallbackAdapter ? 'CPU fallback' : '', ...adapter.via.filter((via) => via !== 'fallback')].filter(Boolean);
    return item(notes.length ? `${adapter.name} (${notes.join(', ')})` : adapter.name, { name: adapter.name });
  });
  if (typeof current !== 'string' && !(adapters ?? []).some((adapter) => sameChoice({ name: adapter.name }, current))) {
    named.push({ ...item(`${current.name} (not found)`, current), enabled: adapters === undefined });
  }
  return [
    item('High performance (discrete GPU)', 'high-performance'),
    item('Low power (integrated GPU)', 'low-power'),
    { type: 'separator' },
    ...(adapters === undefined ? [{ label: 'Looking for adapters…', enabled: false }] : named.length ? [] : [{ label: 'No adapter found', enabled: false }]),
    ...named,
  ];
}
