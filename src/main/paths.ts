// Where the built files live, relative to an entry bundle in out/main/ (index.js, serve.js): the
// same layout serves the Electron app, `npm run serve` and the tests. Each entry passes its own
// import.meta.url (shared code lands in out/main/chunks/, where relative URLs would be off by one).
import { fileURLToPath } from 'node:url';

export interface BuiltPaths {
  /** The headless engine host (child_process.fork, on Dawn): `npm run serve`, tests. */
  hostEntry: string;
  preload: string;
  /** The app's engine: the hidden engine window's page (which starts engine-worker.js beside it) and its preload. */
  engineWindowPage: string;
  engineWindowPreload: string;
  rendererDir: string;
  /** The repository's assets/ (sample corpus, icons); packaged builds will ship it as a resource. */
  assetsDir: string;
}

export function builtPaths(entryUrl: string): BuiltPaths {
  const at = (relative: string) => fileURLToPath(new URL(relative, entryUrl));
  return {
    hostEntry: at('./engine-host.js'),
    preload: at('../preload/index.cjs'),
    engineWindowPage: at('../engine-window/index.html'),
    engineWindowPreload: at('../preload/engine-window.cjs'),
    rendererDir: at('../renderer/'),
    assetsDir: at('../../assets/'),
  };
}
