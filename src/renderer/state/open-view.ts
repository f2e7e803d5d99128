// Opening another page on a given run and sentence: the Attention explorer on a checkpoint, the
// Projector on a run's token or contextual embeddings. The Adapt page's "try it" links and the
// tour's cards use these, so every view opens the way its own page would show it.
import type { StudioApi } from '../api/index.ts';
import { attentionStateFor } from './attention.svelte.ts';
import type { NavState } from './nav.svelte.ts';
import { projectorStateFor } from './projector.svelte.ts';

/** The attention of a run's latest checkpoint on one sentence. */
export function openAttention(api: StudioApi, nav: NavState, runDir: string, sentence: string): void {
  const att = attentionStateFor(api);
  att.source = 'checkpoint';
  att.runDir = runDir;
  att.checkpointStep = null;
  att.sentencesText = sentence;
  att.sentence = 0;
  void att.inspect();
  nav.go('attention');
}

/** The projector on a run's latest checkpoint: its token embeddings, or a sentence's contextual ones. */
export function openProjector(api: StudioApi, nav: NavState, runDir: string, sentence: string | null): void {
  const proj = projectorStateFor(api);
  proj.runDir = runDir;
  proj.step = null;
  if (sentence) {
    proj.kind = 'sentence';
    proj.sentence = sentence;
  } else {
    proj.kind = 'tokens';
  }
  void proj.project();
  nav.go('projector');
}
