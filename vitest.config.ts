import { defineConfig } from 'vitest/config';
import { chooseVulkanDriverForTests } from './tests/vulkan-driver.ts';

// Dawn reads VK_ICD_FILENAMES once, when the process starts: set it here, in the parent, so every
// forked test worker inherits it. Forks, not threads: terminating a worker thread with a Dawn call
// pending aborts the whole process.
chooseVulkanDriverForTests();

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
