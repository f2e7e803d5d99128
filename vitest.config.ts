import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { chooseVulkanDriverForTests } from './tests/vulkan-driver.ts';

// Dawn reads VK_ICD_FILENAMES once, when the process starts: set it here, in the parent, so every
// forked test worker inherits it. Forks, not threads: terminating a worker thread with a Dawn call
// pending aborts the whole process.
chooseVulkanDriverForTests();

export default defineConfig({
  // Compiles .svelte files for renderer component tests (tests/unit/renderer, which opt into a DOM
  // per file with `// @vitest-environment happy-dom`); engine tests never import .svelte.
  plugins: [svelte()],
  // Files that run in a DOM environment use Vite's 'client' environment: resolve 'svelte' to its
  // browser build there (mount() exists only on the client). Node-side tests keep server conditions.
  environments: { client: { resolve: { conditions: ['browser', 'module', 'development|production'] } } },
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    setupFiles: ['tests/setup-dawn.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
