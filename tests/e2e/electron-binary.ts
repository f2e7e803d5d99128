// Where the Electron binary is, or why the Electron tests skip (not installed on these build
// machines: npm ci runs with ELECTRON_SKIP_BINARY_DOWNLOAD=1).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function electronBinary(): { path?: string; skip?: string } {
  const pathFile = join('node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) {
    return { skip: 'the Electron binary is not installed (npm ci ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1); run `npm ci` without it to enable this test' };
  }
  const path = join('node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(path)) return { skip: `the Electron binary is missing at ${path}` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { skip: 'no display: run the e2e tests under `xvfb-run -a` to include the Electron launch test' };
  }
  return { path };
}
