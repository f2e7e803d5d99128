// The engine on Chromium's own WebGPU, as the desktop app runs it (Electron's engine window is
// Chromium; Dawn's Node bindings cannot read GPU results inside Electron). A Vite build of the
// engine, with no Dawn and no Node, runs in Debian's Chromium on SwiftShader and must:
//   (a) match the PyTorch goldens (GPT and BERT: logits, loss, every gradient within 1e-4),
//   (b) train a tiny GPT to the same losses as the same code on Dawn under Node,
//   (c) write a checkpoint with the engine's safetensors writer and reload it exactly,
//   (d) read back attention maps whose rows are distributions.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { promisify } from 'node:util';
import { type Browser, chromium, expect, type Page, test } from '@playwright/test';
import type { EngineLab } from './engine-lab/page.ts';
import { buildLabPage, serveLab, WEBGPU_SWIFTSHADER_ARGS } from './engine-lab/serve.ts';

const CHROMIUM = process.env.PRETRAIN_STUDIO_CHROMIUM ?? '/usr/bin/chromium';
// The SwiftShader that ships inside Debian's Chromium, so the Node run uses the same Vulkan driver.
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const TRAIN_STEPS = 5;

test.describe.configure({ mode: 'serial', timeout: 120_000 });

let browser: Browser;
let page: Page;
let server: Server;
// Started before the browser work and awaited in (b): the Node run and Chromium share the 2 cores.
let nodeRun: Promise<{ adapter: { description: string; architecture: string; driver: string }; losses: number[]; gradNorms: number[] }>;

/** Calls the page's engineLab; `call` runs in the page, so it sees only its arguments. */
function lab<T, A = undefined>(call: (lab: EngineLab, arg: A) => Promise<T>, arg?: A): Promise<T> {
  return page.evaluate(`(${call.toString()})(globalThis.engineLab, ${JSON.stringify(arg ?? null)})`) as Promise<T>;
}

test.beforeAll(async () => {
  const env = { ...process.env, VK_ICD_FILENAMES: SWIFTSHADER_ICD };
  nodeRun = promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--import', './scripts/register-wgsl.mjs', 'tests/e2e/engine-lab/node-train.ts', String(TRAIN_STEPS)],
    { env, timeout: 110_000 },
  ).then(({ stdout }) => JSON.parse(stdout.trim().split('\n').pop()!));
  nodeRun.catch(() => undefined); // awaited (and reported) by its test
  ({ server, url: labUrl } = await serveLab(await buildLabPage()));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: WEBGPU_SWIFTSHADER_ARGS });
  page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().includes('404')) console.log(`page: ${message.text()}`);
  });
  await page.goto(labUrl);
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
});
let labUrl = '';

test.afterAll(async () => {
  await browser?.close();
  server?.close();
});

test('the page runs on Chromium WebGPU, not Dawn under Node', async () => {
  expect(existsSync(SWIFTSHADER_ICD), `Debian's Chromium ships ${SWIFTSHADER_ICD}`).toBe(true);
  const adapter = await lab((l) => l.adapter());
  console.log(`Chromium adapter: ${adapter.vendor} ${adapter.architecture} (driver ${adapter.driver}, subgroups ${adapter.features.subgroupMinSize} lanes, fallback ${adapter.isFallbackAdapter})`);
  expect(adapter.architecture).toBe('swiftshader');
  // Named from the adapter (no VK_ICD_FILENAMES in a page), so SwiftShader's kernel defaults apply.
  expect(adapter.driver).toBe('swiftshader');
  expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
});

for (const name of ['gpt', 'bert']) {
  test(`(a) ${name}: logits, loss and every gradient match PyTorch within 1e-4 in Chromium`, async () => {
    const check = await lab((l, golden) => l.golden(golden), name);
    const worstGrad = check.grads.reduce((worst, g) => (g.rel > worst.rel ? g : worst));
    console.log(
      `${name} in Chromium: ${check.outputs.map((o) => `${o.name} rel ${o.rel.toExponential(2)}`).join(', ')}, ` +
        `loss ${check.loss} vs ${check.goldenLoss}, ${check.grads.length} gradients, worst ${worstGrad.name} rel ${worstGrad.rel.toExponential(2)}`,
    );
    expect(check.grads.length).toBeGreaterThan(10);
    for (const output of check.outputs) expect(output.rel, output.name).toBeLessThan(1e-4);
    expect(Math.abs(check.loss - check.goldenLoss)).toBeLessThan(1e-4 * check.goldenLoss);
    for (const grad of check.grads) expect(grad.rel, grad.name).toBeLessThan(1e-4);
  });
}

test(`(b) ${TRAIN_STEPS} AdamW steps of a tiny GPT give Chromium the losses Dawn gives under Node`, async () => {
  const browserRun = await lab((l, steps) => l.train(steps), TRAIN_STEPS);
  const node = await nodeRun;
  console.log(`Node (Dawn, ${node.adapter.driver}) losses: ${node.losses.join(', ')}`);
  console.log(`Chromium (WebGPU) losses:   ${browserRun.losses.join(', ')}`);
  expect(browserRun.losses).toHaveLength(TRAIN_STEPS);
  expect(node.losses).toHaveLength(TRAIN_STEPS);
  // The model learns (the stream is periodic), so equal losses are not equal constants.
  expect(browserRun.losses[TRAIN_STEPS - 1]).toBeLessThan(browserRun.losses[0] - 0.05);
  // Same kernels on the same SwiftShader through two Dawns: equal to float32 rounding. 1e-5
  // relative leaves room for a different reduction order, nothing more.
  let worst = 0;
  browserRun.losses.forEach((loss, i) => (worst = Math.max(worst, Math.abs(loss - node.losses[i]) / node.losses[i])));
  browserRun.gradNorms.forEach((norm, i) => (worst = Math.max(worst, Math.abs(norm - node.gradNorms[i]) / node.gradNorms[i])));
  console.log(`largest relative difference (losses and grad norms): ${worst.toExponential(2)}`);
  expect(worst).toBeLessThan(1e-5);
});

test('(c) a checkpoint written in the browser reloads into a fresh model with identical logits', async () => {
  const check = await lab((l) => l.checkpoint(3));
  console.log(`checkpoint: model ${check.modelBytes} B, optimizer ${check.optimizerBytes} B, logits max diff ${check.logitsMaxDiff}, next loss ${check.nextLoss} vs ${check.nextLossReloaded}`);
  expect(check.modelBytes).toBeGreaterThan(4 * 10_000);
  expect(check.optimizerBytes).toBeGreaterThan(check.modelBytes);
  expect(check.logitsCount).toBe(4 * 16 * 64);
  expect(check.logitsMaxDiff).toBe(0);
  // Parameters and AdamW moments both came back: the resumed step is the uninterrupted one.
  expect(check.nextLossReloaded).toBe(check.nextLoss);
});

test('(d) attention maps read back from Chromium: every row sums to 1, nothing above the diagonal', async () => {
  const check = await lab((l) => l.attention());
  console.log(`attention: ${check.layers} layers x ${check.heads} heads x ${check.tokens}^2, max |row sum - 1| ${check.maxRowSumError.toExponential(2)}`);
  expect(check).toMatchObject({ layers: 2, heads: 2, tokens: 10 });
  expect(check.maxRowSumError).toBeLessThan(1e-5);
  expect(check.maxAboveDiagonal).toBe(0);
});
