import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  // Main process bundle, plus the two other Node entry points that share its code: the engine host
  // (forked by the supervisor: utilityProcess in the app, child_process.fork headless) and the
  // loopback bridge behind `npm run serve`. Dependencies stay external (node_modules).
  main: {
    build: {
      rolldownOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          'engine-host': resolve('src/engine/host/main.ts'),
          serve: resolve('src/cli/serve.ts'),
        },
      },
    },
  },
  // The preload runs sandboxed: it may require only 'electron', so everything it uses (valibot,
  // the protocol) is bundled in, as CommonJS.
  preload: {
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src/preload/index.ts') },
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
