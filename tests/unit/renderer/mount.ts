// Mounting Svelte 5 components in a DOM test (happy-dom), without a testing library.
import { flushSync, mount, unmount, type Component } from 'svelte';

export function render<P extends Record<string, any>>(component: Component<P, any, any>, props: NoInfer<P>) {
  const target = document.createElement('div');
  document.body.appendChild(target);
  const instance = mount(component, { target, props });
  flushSync();
  return {
    target,
    destroy() {
      unmount(instance);
      target.remove();
    },
  };
}

/** Accessible name as a screen reader would find it (enough for our controls). */
export function accessibleName(el: Element): string {
  const aria = el.getAttribute('aria-label');
  if (aria) return aria.trim();
  const labelledBy = el.getAttribute('aria-labelledby');
  if (labelledBy) return labelledBy.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
  const wrappingLabel = el.closest('label');
  if (wrappingLabel) return (wrappingLabel.textContent ?? '').trim();
  return (el.textContent ?? '').trim();
}

/** Every control is reachable by keyboard and has a name. */
export function expectAccessibleControls(root: Element): number {
  const controls = [...root.querySelectorAll('button, input, select, textarea, [tabindex]')];
  for (const el of controls) {
    if (accessibleName(el) === '') throw new Error(`control without an accessible name: ${el.outerHTML.slice(0, 120)}`);
    const tabindex = el.getAttribute('tabindex');
    if (tabindex !== null && Number(tabindex) < 0) throw new Error(`control not keyboard reachable: ${el.outerHTML.slice(0, 120)}`);
  }
  return controls.length;
}
