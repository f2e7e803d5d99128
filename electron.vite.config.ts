import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { engineWindowBundles } from './scripts/vite-engine-window.ts';

export default defineConfig({
  // Main process bundle, plus the other Node entry points that share its code: the headless
  // engine host (child_process.fork, on Dawn), the loopback bridge behind `npm run serve`, and
  // the worker threads the headless host starts (shard encoding, tokenizer counting, imports).
  // Dependencies stay external (node_modules). The app's engine runs elsewhere: the hidden engine
  // window's page and worker, built into out/engine-window/ by engineWindowBundles.
  main: {
    plugins: [engineWindowBundles()],
    build: {
      rolldownOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          'engine-host': resolve('src/engine/host/main.ts'),
          serve: resolve('src/cli/serve.ts'),
          // Started by the headless host's shard builder on worker threads (found beside engine-host.js).
          'shard-worker': resolve('src/engine/data/shard-worker.ts'),
          // Tokenizer training's counting pass, on worker threads the same way.
          'tokenizer-count-worker': resolve('src/engine/data/tokenizer-count-worker.ts'),
          // Imports, off the host's event loop.
          'import-worker': resolve('src/engine/data/import-worker.ts'),
        },
      },
    },
  },
  // The preload runs sandboxed: it may require only 'electron', so everything it uses (valibot,
  // the protocol) is bundled in, as CommonJS. The engine window's preload imports only 'electron'
  // (so the two share no chunk a sandboxed preload could not require).
  preload: {
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src/preload/index.ts'), 'engine-window': resolve('src/preload/engine-window.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    plugins: [svelte()],
    build: {
      rolldownOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
