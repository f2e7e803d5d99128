// npm run -s bench [-- --driver lavapipe|swiftshader|native] [--quick] [--json] [--filter TEXT]
//                  [--samples N] [--retune] [--cache-dir DIR] [--profile]
// Prints per kernel and shape: median ms, GFLOP/s, GB/s (and tokens/s for training steps); --json
// prints one JSON document instead (use `npm run -s` so npm's banner stays off stdout). The CPU
// columns are process CPU time per run and GFLOP per CPU-second: steadier than wall time on a
// shared machine, since software drivers compute on this process's threads. --profile instead
// times each dispatch of the baby training step on its own, summed per label class. Dawn reads VK_ICD_FILENAMES once at process start, so choosing
// a driver re-spawns this script with the variable set.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    driver: { type: 'string' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    filter: { type: 'string' },
    samples: { type: 'string' },
    retune: { type: 'boolean', default: false },
    'cache-dir': { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});

const ICDS: Record<string, string[]> = {
  lavapipe: ['/usr/share/vulkan/icd.d/lvp_icd.json', '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json'],
  swiftshader: ['/usr/lib/chromium/vk_swiftshader_icd.json'],
};

if (args.driver && process.env.PRETRAIN_STUDIO_BENCH_CHILD !== '1') {
  const env: NodeJS.ProcessEnv = { ...process.env, PRETRAIN_STUDIO_BENCH_CHILD: '1' };
  if (args.driver === 'native') {
    delete env.VK_ICD_FILENAMES;
  } else {
    const icd = ICDS[args.driver]?.find((p) => existsSync(p));
    if (!icd) {
      console.error(`bench: no Vulkan ICD found for --driver ${args.driver} (known: lavapipe, swiftshader, native)`);
      process.exit(2);
    }
    env.VK_ICD_FILENAMES = icd;
  }
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { env, stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { GpuContext } = await import('../src/engine/gpu/device.ts');
const { dawnGpuInstance } = await import('../src/engine/gpu/dawn.ts');
const { tuneMatmul } = await import('../src/engine/ops/matmul-tune.ts');
const { runBenchmarks } = await import('../src/engine/bench/run.ts');

/** Every `*.bench.ts` under src/engine registers its suite when imported. */
function benchFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? benchFiles(join(dir, e.name)) : e.name.endsWith('.bench.ts') ? [join(dir, e.name)] : [],
  );
}
for (const file of benchFiles(join(root, 'src/engine')).sort()) await import(pathToFileURL(file).href);

const say = (line: string) => {
  if (!args.json) console.log(line);
};
const ctx = await GpuContext.open({ gpu: dawnGpuInstance() });
const r = ctx.report;
say(`adapter: ${r.description || r.device} (${r.vendor} ${r.architecture}), driver ${r.driver}, ` +
  `features: ${['shaderF16', 'subgroups', 'timestampQuery'].filter((f) => ctx.features[f as keyof typeof ctx.features]).join(', ') || 'none'}` +
  (ctx.features.subgroups ? `, subgroups of ${ctx.features.subgroupMinSize} lanes` : ''));
const choice = await tuneMatmul(ctx, { cacheDir: args['cache-dir'], force: args.retune, log: (l) => say(`  ${l}`) });
say(`matmul choice (${choice.source}): ` + Object.entries(choice.byClass).map(([k, v]) => `${k}=${v.best}`).join(' '));
say('');
if (args.profile) {
  const { profileDispatches, formatProfile } = await import('../src/engine/bench/profile.ts');
  const { benchStep } = await import('../src/engine/train/train.bench.ts');
  const { BABY_SHAKESPEARE } = await import('../src/engine/model/config.ts');
  const { step, batch } = benchStep(ctx, BABY_SHAKESPEARE, 12);
  await step.run([batch], 1e-3);
  await step.flush();
  const rows = await profileDispatches(ctx, step.dispatches, args.samples ? Number(args.samples) : 3);
  if (args.json) console.log(JSON.stringify({ adapter: r, matmulChoice: choice, profile: rows }, null, 2));
  else for (const line of formatProfile(rows)) say(line);
  step.destroy();
  ctx.destroy();
  process.exit(0);
}
say(`${'suite'.padEnd(10)} ${'case'.padEnd(28)} ${'shape'.padEnd(16)} ${'ms'.padStart(10)} ${'GFLOP/s'.padStart(9)} ${'GB/s'.padStart(8)} ${'tok/s'.padStart(9)} ${'cpu ms'.padStart(9)} ${'GF/cpu-s'.padStart(8)}  clock`);
const fixed = (x: number | undefined, d: number) => (x === undefined ? '' : x.toFixed(d));
const results = await runBenchmarks(ctx, {
  quick: args.quick,
  filter: args.filter,
  samples: args.samples ? Number(args.samples) : undefined,
  onResult: (x) =>
    say(
      x.error
        ? `${x.suite.padEnd(10)} ${x.name.padEnd(28)} ${x.shape.padEnd(16)} ERROR ${x.error}`
        : `${x.suite.padEnd(10)} ${x.name.padEnd(28)} ${x.shape.padEnd(16)} ${fixed(x.ms, 3).padStart(10)} ` +
            `${fixed(x.gflops, 2).padStart(9)} ${fixed(x.gbps, 2).padStart(8)} ${fixed(x.tokensPerSecond, 0).padStart(9)} ` +
            `${fixed(x.cpuMs, 1).padStart(9)} ${fixed(x.gflopsPerCpuSecond, 2).padStart(8)}  ${x.clock}`,
    ),
});
if (args.json) {
  console.log(JSON.stringify({ adapter: r, features: ctx.features, matmulChoice: choice, quick: args.quick, results }, null, 2));
}
ctx.destroy();
process.exit(results.some((x) => x.error) ? 1 : 0);
