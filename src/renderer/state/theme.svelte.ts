// Light or dark, remembered across launches; follows the system until the person picks one.
export type Theme = 'light' | 'dark';

const KEY = 'pretrain-studio.theme';

function initialTheme(): Theme {
  const saved = globalThis.localStorage?.getItem(KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return globalThis.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export class ThemeState {
  #current = $state<Theme>(initialTheme());

  get current(): Theme {
    return this.#current;
  }

  set current(theme: Theme) {
    this.#current = theme;
    globalThis.localStorage?.setItem(KEY, theme);
  }

  toggle(): void {
    this.current = this.#current === 'dark' ? 'light' : 'dark';
  }
}
