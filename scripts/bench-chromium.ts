// Times the baby shakespeare_char training step (the `train.step` bench case of `npm run bench`)
// on Chromium's own WebGPU, the way the desktop app's engine runs: the engine built for the
// browser (tests/e2e/engine-lab), in Debian's Chromium, headless.
//   node --import tsx scripts/bench-chromium.ts [--driver swiftshader|lavapipe] [--samples N]
// lavapipe: VK_ICD_FILENAMES plus Vulkan switches; Chromium 156's Dawn has not offered lavapipe
// here (it falls back to its SwiftShader), which the script says before the time.
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import type { EngineLab } from '../tests/e2e/engine-lab/page.ts';
import { buildLabPage, serveLab, WEBGPU_SWIFTSHADER_ARGS } from '../tests/e2e/engine-lab/serve.ts';

const { values: args } = parseArgs({
  options: { driver: { type: 'string', default: 'swiftshader' }, samples: { type: 'string', default: '5' } },
});
const samples = Number(args.samples);
const LAVAPIPE_ICD = '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json';

const launch =
  args.driver === 'lavapipe'
    ? { args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=native', '--ignore-gpu-blocklist', '--disable-vulkan-surface'], env: { ...process.env, VK_ICD_FILENAMES: LAVAPIPE_ICD } }
    : args.driver === 'swiftshader'
      ? { args: WEBGPU_SWIFTSHADER_ARGS, env: process.env }
      : undefined;
if (!launch) {
  console.error(`bench-chromium: unknown --driver ${args.driver} (swiftshader, lavapipe)`);
  process.exit(2);
}

const { url, server } = await serveLab(await buildLabPage());
const browser = await chromium.launch({
  executablePath: process.env.PRETRAIN_STUDIO_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: launch.args,
  env: Object.fromEntries(Object.entries(launch.env).filter((e): e is [string, string] => e[1] !== undefined)),
});
try {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
  const lab = <T>(source: string) => page.evaluate(source) as Promise<T>;
  const adapter = await lab<Awaited<ReturnType<EngineLab['adapter']>>>('globalThis.engineLab.adapter()').catch((error: Error) => {
    console.log(`Chromium (${args.driver}): no WebGPU adapter: ${error.message.split('\n')[0]}`);
    return undefined;
  });
  if (adapter && args.driver !== adapter.driver) {
    console.log(`Chromium gave no ${args.driver} adapter: it fell back to ${adapter.vendor} ${adapter.architecture} (timed below as such).`);
  }
  if (adapter) {
    const result = await lab<{ medianMs: number; timesMs: number[] }>(`globalThis.engineLab.benchBaby(${samples})`);
    const tokens = 12 * 64;
    console.log(
      `Chromium ${browser.version()} WebGPU, ${adapter.vendor} ${adapter.architecture} (driver ${adapter.driver}, ${adapter.features.subgroupMinSize}-lane subgroups): ` +
        `baby shakespeare_char train step median ${result.medianMs.toFixed(1)} ms ` +
        `(${Math.round((tokens / result.medianMs) * 1000)} tokens/s) over ${samples} steps: ${result.timesMs.map((t) => t.toFixed(0)).join(', ')} ms`,
    );
  }
} finally {
  await browser.close();
  server.close();
}
