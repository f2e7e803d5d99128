// @vitest-environment happy-dom
// The renderer's copy of the engine's objective registry: asked once, it labels runs and gives
// each run's charts; the Model page's cards are its entries, a planned slot disabled with its reason.
import { afterEach, describe, expect, test } from 'vitest';
import type { ObjectiveInfoWire } from '../../../src/protocol/commands/model-objectives.ts';
import ObjectiveCards from '../../../src/renderer/pages/model/ObjectiveCards.svelte';
import type { ModelState } from '../../../src/renderer/state/model.svelte.ts';
import { ObjectiveCatalog } from '../../../src/renderer/state/objectives.svelte.ts';
import type { StudioApi } from '../../../src/renderer/api/index.ts';
import { render } from './mount.ts';

const charts = { loss: [{ label: 'train loss', split: 'train' as const, name: 'loss' }], perplexity: [], accuracy: [] };
const LIST: ObjectiveInfoWire[] = [
  { id: 'clm', title: 'Causal LM', family: 'GPT', summary: 'Predicts the next token.', modelKind: 'decoder', heads: ['lm'], available: true, metrics: ['loss', 'accuracy'], samples: 'text', charts },
  { id: 'toy', title: 'Toy', family: 'test', summary: 'Not here yet.', modelKind: 'encoder', heads: ['x'], available: false, reason: 'no collator yet', metrics: [], samples: null, charts: { loss: [], perplexity: [], accuracy: [] } },
];

function fakeApi(): { api: StudioApi; calls: () => number } {
  let calls = 0;
  const api = { call: async (type: string) => { calls++; if (type !== 'model.objectives') throw new Error(type); return { objectives: LIST }; } };
  return { api: api as unknown as StudioApi, calls: () => calls };
}

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

describe('ObjectiveCatalog', () => {
  test('asks the engine once, labels ids, and falls back for ids it does not know', async () => {
    const { api, calls } = fakeApi();
    const catalog = new ObjectiveCatalog(api);
    await Promise.all([catalog.load(), catalog.load()]);
    await catalog.load();
    expect(calls()).toBe(1);
    expect(catalog.label('clm')).toBe('Causal LM (GPT)');
    expect(catalog.label('gone')).toBe('gone');
    expect(catalog.charts('clm')).toBe(LIST[0].charts);
    expect(catalog.charts('gone').loss.map((l) => l.name)).toEqual(['loss', 'valLoss']);
  });
});

describe('ObjectiveCards', () => {
  test('one card per registry entry; a planned one is disabled and says why', async () => {
    const { api } = fakeApi();
    const catalog = new ObjectiveCatalog(api);
    await catalog.load();
    const model = { objective: 'clm', objectives: catalog.list, objectivesError: null } as unknown as ModelState;
    const r = render(ObjectiveCards, { model });
    cleanup.push(() => r.destroy());
    const cards = [...r.target.querySelectorAll('[data-testid^="objective-"]')];
    expect(cards.map((c) => c.getAttribute('data-testid'))).toEqual(['objective-clm', 'objective-toy']);
    const [clm, toy] = cards.map((c) => c.querySelector('input') as HTMLInputElement);
    expect(clm.checked).toBe(true);
    expect(clm.disabled).toBe(false);
    expect(toy.disabled).toBe(true);
    expect(cards[1].textContent).toContain('Not available yet: no collator yet');
    expect(cards[0].textContent).toContain('Predicts the next token.');
  });
});
