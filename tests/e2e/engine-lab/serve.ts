// Builds the lab page (page.ts and the engine it imports) for the browser with Vite, and serves
// it with the PyTorch goldens on 127.0.0.1 (a secure context: WebGPU needs one). Used by
// tests/e2e/engine-in-chromium.spec.ts and scripts/bench-chromium.ts.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { build, type Rollup } from 'vite';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const GOLDENS = join(ROOT, 'tests', 'goldens');

/** Chromium switches that give headless Chromium (Debian's 156 here) WebGPU on SwiftShader. */
export const WEBGPU_SWIFTSHADER_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--disable-vulkan-surface'];

/** The page's script as one ES module, built in memory (a second or two). */
export async function buildLabPage(): Promise<string> {
  const output = await build({
    configFile: false,
    logLevel: 'warn',
    root: ROOT,
    build: {
      write: false,
      target: 'es2022',
      minify: false,
      modulePreload: false,
      rolldownOptions: { input: join(ROOT, 'tests/e2e/engine-lab/page.ts'), output: { format: 'es', codeSplitting: false } },
    },
  });
  const results = (Array.isArray(output) ? output : [output]) as Rollup.RollupOutput[];
  const chunk = results.flatMap((r) => r.output).find((o): o is Rollup.OutputChunk => o.type === 'chunk' && o.isEntry);
  if (!chunk) throw new Error('buildLabPage: Vite produced no entry chunk');
  return chunk.code;
}

const PAGE = '<!doctype html><meta charset="utf-8"><title>engine lab</title><script type="module" src="/lab.js"></script>';

/** Serves the page at http://127.0.0.1:<port>/ with /lab.js and /goldens/<name>.{json,safetensors}. */
export async function serveLab(script: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const golden = /^\/goldens\/([a-z_]+\.(json|safetensors))$/.exec(path);
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    } else if (path === '/lab.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (golden) {
      try {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(join(GOLDENS, golden[1])));
      } catch {
        res.writeHead(404).end();
      }
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('serveLab: no TCP address');
  return { url: `http://127.0.0.1:${address.port}/`, server };
}
