// electron-vite builds main, preload and renderer; the app's engine window needs two more bundles,
// built here after the main bundle (a plugin on the main build, so `electron-vite build` and `dev`
// make them too) into out/engine-window/:
//   - index.html + its page script (src/engine-window/): a browser page, as the renderer is;
//   - engine-worker.js (src/engine/host/worker.ts): the engine host for a dedicated Worker with
//     Electron's Node integration, so CommonJS (the worker gets require(), not Node's ESM loader),
//     with its npm dependencies bundled in and Node's built-ins left to require().
import { resolve } from 'node:path';
import { build, type Plugin } from 'vite';

const OUT_DIR = resolve('out/engine-window');

async function buildPage(): Promise<void> {
  await build({
    configFile: false,
    root: resolve('src/engine-window'),
    base: './',
    logLevel: 'warn',
    build: { outDir: OUT_DIR, emptyOutDir: true, modulePreload: false, target: 'chrome140' },
  });
}

async function buildWorker(): Promise<void> {
  await build({
    configFile: false,
    logLevel: 'warn',
    // An SSR build resolves for Node (node:fs stays a require); noExternal bundles the npm packages,
    // since a worker's require() does not search the app's node_modules the way the main process does.
    ssr: { noExternal: true, target: 'node' },
    build: {
      ssr: resolve('src/engine/host/worker.ts'),
      outDir: OUT_DIR,
      emptyOutDir: false,
      target: 'node22',
      rolldownOptions: { output: { format: 'cjs', entryFileNames: 'engine-worker.js', codeSplitting: false } },
    },
  });
}

/** Builds out/engine-window/ once the main bundle is written. */
export function engineWindowBundles(): Plugin {
  return {
    name: 'pretrain-studio:engine-window',
    apply: 'build',
    async closeBundle() {
      await buildPage();
      await buildWorker();
    },
  };
}
