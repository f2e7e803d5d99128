import { existsSync } from 'node:fs';

/** Candidate software Vulkan drivers, fastest first (lavapipe, then Chromium's SwiftShader). */
export const SOFTWARE_ICDS = [
  '/usr/share/vulkan/icd.d/lvp_icd.json',
  '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json',
  '/usr/lib/chromium/vk_swiftshader_icd.json',
];

/**
 * Tests must be reproducible on the build machines, which have no GPU: unless the caller chose a
 * driver (VK_ICD_FILENAMES or PRETRAIN_STUDIO_TEST_DEVICE=native), use the first software driver.
 */
export function chooseVulkanDriverForTests(): void {
  if (process.env.VK_ICD_FILENAMES || process.env.PRETRAIN_STUDIO_TEST_DEVICE === 'native') return;
  const icd = SOFTWARE_ICDS.find((p) => existsSync(p));
  if (icd) process.env.VK_ICD_FILENAMES = icd;
}
