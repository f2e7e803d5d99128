// @vitest-environment happy-dom
// The progress bar of a long phase: an aria progressbar with its percentage, the ETA at the rate
// since the phase began, an indeterminate bar while the fraction is unknown, and Cancel.
import { afterEach, expect, test } from 'vitest';
import PhaseProgress from '../../../src/renderer/lib/progress/PhaseProgress.svelte';
import { phaseStart } from '../../../src/renderer/lib/progress/phase-clock.ts';
import { expectAccessibleControls, render } from './mount.ts';

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

test('percentage, ETA from the rate so far, and a named Cancel button', () => {
  let cancelled = 0;
  // 25% done in the 30 s since the phase began: 90 s left.
  const start = { key: 'run:shards', at: performance.now() - 30_000, fraction: 0 };
  const r = render(PhaseProgress, { label: 'Building token shards', message: 'tokenized 250 of 1000 documents', fraction: 0.25, start, oncancel: () => cancelled++, cancelWhat: 'data preparation' });
  cleanup.push(() => r.destroy());
  const bar = r.target.querySelector('[role="progressbar"]')!;
  expect(bar.getAttribute('aria-valuenow')).toBe('25');
  expect(bar.getAttribute('aria-valuemin')).toBe('0');
  expect(bar.getAttribute('aria-valuemax')).toBe('100');
  expect(bar.getAttribute('aria-valuetext')).toMatch(/^Building token shards: 25\.0%, about 1m 3\ds left$/);
  expect(r.target.querySelector('[data-testid="phase-percent"]')!.textContent).toBe('25.0%');
  expect(r.target.querySelector('[data-testid="phase-eta"]')!.textContent).toMatch(/^ETA 1m 3\ds$/);
  const button = r.target.querySelector('button')!;
  expect(button.getAttribute('aria-label')).toBe('Cancel data preparation');
  button.click();
  expect(cancelled).toBe(1);
  expect(expectAccessibleControls(r.target)).toBe(1);
});

test('an unknown fraction shows an indeterminate bar and no ETA; cancelling disables the button', () => {
  const r = render(PhaseProgress, { label: 'Importing', fraction: undefined, start: null, oncancel: () => {}, cancelling: true });
  cleanup.push(() => r.destroy());
  const bar = r.target.querySelector('[role="progressbar"]')!;
  expect(bar.hasAttribute('aria-valuenow')).toBe(false);
  expect(r.target.querySelector('.fill.indeterminate')).not.toBeNull();
  expect(r.target.querySelector('[data-testid="phase-eta"]')!.textContent).toBe('ETA —');
  expect((r.target.querySelector('button') as HTMLButtonElement).disabled).toBe(true);
});

test('no Cancel button without a handler', () => {
  const r = render(PhaseProgress, { label: 'Splitting', fraction: 1, start: null });
  cleanup.push(() => r.destroy());
  expect(r.target.querySelector('button')).toBeNull();
  expect(r.target.querySelector('[data-testid="phase-percent"]')!.textContent).toBe('100.0%');
});

test('a phase clock starts when a phase is first seen and restarts with a new phase', () => {
  const a = phaseStart(null, 'run1:tokenizer', 0.4, 1000);
  expect(a).toEqual({ key: 'run1:tokenizer', at: 1000, fraction: 0.4 });
  expect(phaseStart(a, 'run1:tokenizer', 0.6, 2000)).toBe(a);
  expect(phaseStart(a, 'run1:shards', 0, 3000)).toEqual({ key: 'run1:shards', at: 3000, fraction: 0 });
  // A fraction that went back is a new pass (an import started again): a new clock.
  expect(phaseStart(a, 'run1:tokenizer', 0.1, 4000)).toEqual({ key: 'run1:tokenizer', at: 4000, fraction: 0.1 });
  expect(phaseStart(null, 'entry', undefined, 5).fraction).toBe(0);
});
