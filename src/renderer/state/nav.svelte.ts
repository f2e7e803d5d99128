import type { Page } from '../../protocol/index.ts';

export interface PageInfo {
  id: Page;
  label: string;
  /** One line saying what the page is for, shown in its header. */
  blurb: string;
}

export const PAGES: readonly PageInfo[] = [
  { id: 'corpus', label: 'Corpus', blurb: 'The text the model learns from.' },
  { id: 'model', label: 'Model & objective', blurb: 'What to learn, and how big a model to learn it with.' },
  { id: 'train', label: 'Train', blurb: 'Run training and watch it learn.' },
  { id: 'attention', label: 'Attention', blurb: 'Where each layer and head looks, for any sentence.' },
  { id: 'projector', label: 'Projector', blurb: 'Where the model puts each token: embeddings in 2D and 3D, and their nearest neighbours.' },
  { id: 'adapt', label: 'Adapt', blurb: 'Fine-tune, prompt and probe a trained model.' },
  { id: 'runs', label: 'Runs', blurb: 'Every run, on disk, resumable.' },
  { id: 'tour', label: 'Tour', blurb: 'The chapter in seven cards, each run on a built-in demo model: what GPT, BERT and T5 learn, and how a model is adapted.' },
];

export class NavState {
  current = $state<Page>('corpus');

  readonly page = $derived(PAGES.find((p) => p.id === this.current) ?? PAGES[0]);

  go(page: Page): void {
    this.current = page;
  }
}
