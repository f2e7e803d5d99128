import { execFileSync } from 'node:child_process';

/** Builds main, preload, renderer and engine-host bundles once for the whole e2e run. */
export default function globalSetup(): void {
  if (process.env.PRETRAIN_STUDIO_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], { stdio: 'inherit' });
}
