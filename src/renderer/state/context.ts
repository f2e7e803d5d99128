// Typed context for the objects the shell shares (no module globals): set once in App.svelte.
import { getContext, setContext } from 'svelte';
import type { StudioApi } from '../api/index.ts';
import type { CorpusState } from './corpus.svelte.ts';
import type { EngineState } from './engine.svelte.ts';
import type { ModelState } from './model.svelte.ts';
import type { NavState } from './nav.svelte.ts';
import type { ObjectiveCatalog } from './objectives.svelte.ts';
import type { ThemeState } from './theme.svelte.ts';

export interface Studio {
  api: StudioApi;
  engine: EngineState;
  nav: NavState;
  theme: ThemeState;
  corpus: CorpusState;
  model: ModelState;
  /** The engine's objective registry, asked once. */
  objectives: ObjectiveCatalog;
}

const key = Symbol('studio');

export function setStudio(studio: Studio): Studio {
  return setContext(key, studio);
}

export function getStudio(): Studio {
  const studio = getContext<Studio | undefined>(key);
  if (!studio) throw new Error('getStudio() called outside <App>');
  return studio;
}
