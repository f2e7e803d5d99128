// `npm run dist`: installers for this platform (AppImage + deb on Linux, dmg on macOS, NSIS on
// Windows; see electron-builder.yml). Arguments go to electron-builder (`npm run dist -- --linux deb`).
//   1. electron-vite build (out/), 2. icons from assets/icons/icon.svg (scripts/make-icons.ts),
//   3. make sure an Electron runtime can be had (electron-builder downloads Electron's release zip,
//      not the npm package's binary): an installed node_modules/electron/dist for this platform, a
//      zip in Electron's download cache, or a reachable download server. Without any, say so and
//      stop with exit code 1 instead of letting electron-builder fail halfway with a stack trace.
//   4. electron-builder.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeIcons } from './make-icons.ts';

const DEFAULT_MIRROR = 'https://github.com/electron/electron/releases/download/';

export interface Target {
  platform: NodeJS.Platform;
  arch: string;
}

/** The platform and arch electron-builder will package for, from its command-line flags. */
export function targetOf(args: readonly string[], host: Target = { platform: process.platform, arch: process.arch }): Target {
  const has = (...flags: string[]) => args.some((arg) => flags.includes(arg));
  const platform = has('--mac', '-m', '--macos', '-o') ? 'darwin' : has('--win', '-w', '--windows') ? 'win32' : has('--linux', '-l') ? 'linux' : host.platform;
  const arch = ['arm64', 'x64', 'ia32', 'armv7l', 'universal'].find((name) => has(`--${name}`)) ?? host.arch;
  return { platform, arch };
}

/** The file name of Electron's release zip for a target (what @electron/get downloads and caches). */
export function electronZipName(version: string, { platform, arch }: Target): string {
  return `electron-v${version}-${platform}-${arch}.zip`;
}

/** Where @electron/get keeps downloads: ELECTRON_CACHE, else the platform's user cache folder. */
export function electronCacheDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform, home = homedir()): string {
  if (env.ELECTRON_CACHE) return env.ELECTRON_CACHE;
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'electron');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'electron', 'Cache');
  return join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'electron');
}

/** A cached release zip: @electron/get stores each under a folder named by a hash of its URL. */
export function findCachedZip(cacheDir: string, zipName: string): string | undefined {
  if (!existsSync(cacheDir)) return undefined;
  if (existsSync(join(cacheDir, zipName))) return join(cacheDir, zipName);
  for (const entry of readdirSync(cacheDir, { withFileTypes: true })) {
    const candidate = join(cacheDir, entry.name, zipName);
    if (entry.isDirectory() && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export type ElectronSource =
  | { ok: true; kind: 'installed'; electronDist: string }
  | { ok: true; kind: 'cached' | 'download'; where: string }
  | { ok: false; message: string };

export interface FindOptions {
  version: string;
  target: Target;
  host?: Target;
  /** node_modules/electron */
  electronPackageDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Resolves whether a URL answers (HEAD); injectable so tests need no network. */
  reachable?: (url: string) => Promise<boolean>;
}

async function headReachable(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(8_000) });
    return response.status < 400;
  } catch {
    return false;
  }
}

export async function findElectron(options: FindOptions): Promise<ElectronSource> {
  const { version, target } = options;
  const host = options.host ?? { platform: process.platform, arch: process.arch };
  const env = options.env ?? process.env;
  const packageDir = options.electronPackageDir ?? resolve('node_modules/electron');
  // The npm package's binary (absent where ELECTRON_SKIP_BINARY_DOWNLOAD=1) serves a build for this machine only.
  const pathFile = join(packageDir, 'path.txt');
  if (target.platform === host.platform && target.arch === host.arch && existsSync(pathFile)) {
    const dist = join(packageDir, 'dist');
    if (existsSync(join(dist, readFileSync(pathFile, 'utf8').trim()))) return { ok: true, kind: 'installed', electronDist: dist };
  }
  const zipName = electronZipName(version, target);
  const cached = findCachedZip(electronCacheDir(env, host.platform), zipName);
  if (cached) return { ok: true, kind: 'cached', where: cached };
  const mirror = env.ELECTRON_MIRROR ?? DEFAULT_MIRROR;
  const url = `${mirror.endsWith('/') ? mirror : `${mirror}/`}v${version}/${zipName}`;
  if (await (options.reachable ?? headReachable)(url)) return { ok: true, kind: 'download', where: url };
  return {
    ok: false,
    message: [
      `Cannot build installers: Electron ${version} for ${target.platform}-${target.arch} is not available.`,
      `  - node_modules/electron has no binary for this target (npm ci ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or another platform),`,
      `  - ${zipName} is not in Electron's download cache (${electronCacheDir(env, host.platform)}),`,
      `  - and ${url} cannot be reached (no network, or set ELECTRON_MIRROR).`,
      `Build installers on a machine with network access (electron-builder also downloads its packaging tools there),`,
      `or put ${zipName} into that cache folder. Nothing was packaged.`,
    ].join('\n'),
  };
}

async function main(args: string[]): Promise<number> {
  const require = createRequire(import.meta.url);
  const version = (JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version;
  const target = targetOf(args);
  // Checked first, so a machine without Electron fails in seconds, before building anything.
  const electron = await findElectron({ version, target });
  if (!electron.ok) {
    console.error(electron.message);
    return 1;
  }
  const step = (command: string, commandArgs: string[]) =>
    spawnSync(process.execPath, [command, ...commandArgs], { stdio: 'inherit' }).status ?? 1;
  let status = step(require.resolve('electron-vite/bin/electron-vite.js'), ['build']);
  if (status !== 0) return status;
  const icons = await makeIcons();
  console.log(`dist: icons in ${icons.pngDir}, ${icons.ico}, ${icons.icns}`);
  const builderArgs = electron.kind === 'installed' ? [...args, `--config.electronDist=${electron.electronDist}`] : args;
  console.log(`dist: Electron ${version} ${electron.kind === 'installed' ? `from ${electron.electronDist}` : `${electron.kind}: ${electron.where}`}`);
  status = step(require.resolve('electron-builder/cli.js'), builderArgs);
  return status;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`dist: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
