// Loads a PyTorch golden from tests/goldens/ (the parsing is in golden-data.ts, shared with the
// browser build of tests/e2e/engine-in-chromium.spec.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Golden, parseGolden } from './golden-data';

export { batchOf, type Golden, type GoldenOptimizer, parseGolden, relativeError } from './golden-data';

export function loadGolden(name: string): Golden {
  const dir = join(__dirname, '..', '..', 'goldens');
  return parseGolden(name, readFileSync(join(dir, `${name}.json`), 'utf8'), readFileSync(join(dir, `${name}.safetensors`)));
}

