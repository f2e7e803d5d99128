// Node module hook so scripts run by tsx can `import src from './x.wgsl?raw'` as vite does:
//   node --import tsx --import ./scripts/register-wgsl.mjs scripts/bench.ts
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
export async function resolve(specifier, context, next) {
  if (specifier.endsWith('.wgsl?raw')) {
    return { url: new URL(specifier, context.parentURL).href, shortCircuit: true };
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (url.endsWith('.wgsl?raw')) {
    const source = await readFile(fileURLToPath(url.slice(0, -'?raw'.length)), 'utf8');
    return { format: 'module', source: 'export default ' + JSON.stringify(source) + ';', shortCircuit: true };
  }
  return next(url, context);
}
`),
);
