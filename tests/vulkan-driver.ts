import { lavapipeIcds, swiftshaderIcds } from '../src/engine/gpu/drivers.ts';

/** Candidate software Vulkan drivers found on this machine, fastest first (lavapipe, then SwiftShader). */
export const SOFTWARE_ICDS = [...lavapipeIcds(), ...swiftshaderIcds()];

/**
 * Tests must be reproducible on the build machines, which have no GPU: unless the caller chose a
 * driver (VK_ICD_FILENAMES or PRETRAIN_STUDIO_TEST_DEVICE=native), use the first software driver.
 * The app itself walks the same search (src/engine/gpu/drivers.ts) but tries a real GPU first.
 */
export function chooseVulkanDriverForTests(): void {
  if (process.env.VK_ICD_FILENAMES || process.env.PRETRAIN_STUDIO_TEST_DEVICE === 'native') return;
  const icd = SOFTWARE_ICDS[0];
  if (icd) process.env.VK_ICD_FILENAMES = icd;
}
