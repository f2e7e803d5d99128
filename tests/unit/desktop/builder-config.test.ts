// The installer configuration (electron-builder.yml), checked without downloading Electron:
// electron-builder's own loader and schema validation, the files it would pack (with its own file
// matcher) against what the built app loads, the generated icons' formats, and `npm run dist`
// refusing plainly where no Electron runtime can be had.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, type Stats, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { electronCacheDir, electronZipName, findElectron, targetOf } from '../../../scripts/dist.ts';
import { ICNS_SIZES, ICO_SIZES, makeIcons, PNG_SIZES } from '../../../scripts/make-icons.ts';
import { builtPaths } from '../../../src/main/paths.ts';

const require = createRequire(import.meta.url);
const root = resolve('.');
// app-builder-lib is electron-builder's implementation; these are the functions `electron-builder` itself calls.
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: unknown): Promise<Record<string, any>>;
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
const { FileMatcher } = require('app-builder-lib/out/fileMatcher') as {
  FileMatcher: new (from: string, to: string, expand: (s: string) => string, patterns: string[]) => {
    createFilter(): (file: string, stat: Stats) => boolean;
  };
};

describe('electron-builder configuration', () => {
  let config: Record<string, any>;
  // Fresh each time: validation normalizes the object it is given in place.
  beforeEach(async () => {
    config = await getConfig(root, null, null);
  });

  it("passes electron-builder's own validation", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // …which does reject a wrong config, so the pass above means something.
    const typo = { ...config, nsis: { ...config.nsis, oneClik: false } };
    await expect(validateConfiguration(typo, new DebugLogger(false))).rejects.toThrow(/Invalid configuration object/);
  });

  it('builds AppImage and deb, dmg and NSIS, with the app metadata and generated icons', () => {
    expect(config.appId).toBe('org.pretrainstudio.app');
    expect(config.productName).toBe('Pretrain Studio');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Science');
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect([config.linux.icon, config.mac.icon, config.win.icon]).toEqual(['build/icons/png', 'build/icons/icon.icns', 'build/icons/icon.ico']);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(pkg.description).toMatch(/Transformers/);
    expect(pkg.author.name).toBeTruthy();
    expect(pkg.license).toBeTruthy();
  });

  it('packs every file the built app loads, and not the headless Dawn host or the webgpu package', () => {
    if (!existsSync('out/main/index.js')) execFileSync(process.execPath, [join(dirname(require.resolve('electron-vite/package.json')), 'bin/electron-vite.js'), 'build'], { stdio: 'ignore' });
    // getConfig wraps the `files` list as [{ filter: [...] }].
    const patterns = (config.files as { filter: string[] }[]).flatMap((entry) => entry.filter);
    const filter = new FileMatcher(root, '/app', (s) => s, patterns).createFilter();
    // Dependencies are collected apart from `files`, through a matcher of '**/*' then the same patterns
    // (getNodeModuleFileMatcher): only the exclusions bite there.
    const moduleFilter = new FileMatcher(root, '/app', (s) => s, ['**/*', ...patterns]).createFilter();
    const packed = (path: string) => (path.startsWith('node_modules/') ? moduleFilter : filter)(resolve(path), statSync(resolve(path)));
    const paths = builtPaths(pathToFileURL(resolve('out/main/index.js')).href);
    const needed = [
      'package.json',
      'out/main/index.js',
      paths.preload,
      paths.engineWindowPage,
      paths.engineWindowPreload,
      join(paths.engineWindowPage, '../engine-worker.js'),
      join(paths.rendererDir, 'index.html'),
      join(paths.assetsDir, 'sample-corpus/sample-en.txt'),
      // The built-in demo models the Tour page runs on: every file of each run folder.
      ...demoModelFiles(join(paths.assetsDir, 'demo-models')),
    ].map((path) => relative(root, resolve(path)));
    for (const path of needed) {
      expect(existsSync(path), `${path} exists after npm run build`).toBe(true);
      expect(packed(path), `${path} is packed`).toBe(true);
    }
    expect(packed('out/main/engine-host.js')).toBe(false);
    expect(packed('node_modules/webgpu/package.json')).toBe(false);
    expect(packed('src/main/index.ts')).toBe(false);
    // The packed main bundle may import only Electron, Node built-ins and packed packages.
    const mainImports = [...readFileSync('out/main/index.js', 'utf8').matchAll(/from "([^".][^"]*)"/g)].map((m) => m[1]);
    const dependencies = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).dependencies);
    for (const name of mainImports.filter((n) => n !== 'electron' && !n.startsWith('node:'))) {
      expect(dependencies, `${name} is a production dependency (electron-builder packs only those)`).toContain(name);
      expect(packed(`node_modules/${name}/package.json`), `${name} (imported by out/main/index.js) is packed`).toBe(true);
    }
  });
});

/** Every file under assets/demo-models (run folders and manifest.json); at least the manifest. */
function demoModelFiles(dir: string): string[] {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
  expect(files.map((f) => relative(dir, f))).toContain('manifest.json');
  return files;
}

// PNG: 8-byte signature, then IHDR with big-endian width and height.
function pngSize(bytes: Buffer): [number, number] {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.toString('latin1', 12, 16)).toBe('IHDR');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('icons from assets/icons/icon.svg', () => {
  let files: Awaited<ReturnType<typeof makeIcons>>;
  beforeAll(async () => {
    files = await makeIcons(mkdtempSync(join(tmpdir(), 'icons-')));
  });

  it('writes a PNG of each size', () => {
    for (const size of PNG_SIZES) expect(pngSize(readFileSync(files.pngs[size]))).toEqual([size, size]);
  });

  it('writes a .ico whose directory lists each size (0 means 256) with valid images', () => {
    const ico = readFileSync(files.ico);
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, ICO_SIZES.length]);
    const sizes: number[] = [];
    for (let i = 0; i < ICO_SIZES.length; i++) {
      const entry = 6 + 16 * i;
      const width = ico[entry] || 256;
      sizes.push(width);
      const [length, offset] = [ico.readUInt32LE(entry + 8), ico.readUInt32LE(entry + 12)];
      expect(offset + length).toBeLessThanOrEqual(ico.length);
      const image = ico.subarray(offset, offset + length);
      // Each image is a PNG or a BMP (BITMAPINFOHEADER, height doubled for the AND mask).
      if (image[0] === 0x89) expect(pngSize(image)).toEqual([width, width]);
      else expect([image.readUInt32LE(0), image.readInt32LE(4), image.readInt32LE(8)]).toEqual([40, width, 2 * width]);
    }
    expect(sizes.sort((a, b) => a - b)).toEqual(ICO_SIZES);
  });

  it('writes a .icns whose header length matches and which holds the 1024 px image', () => {
    const icns = readFileSync(files.icns);
    expect(icns.toString('latin1', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types = new Map<string, Buffer>();
    for (let at = 8; at < icns.length; ) {
      const length = icns.readUInt32BE(at + 4);
      expect(length).toBeGreaterThan(8);
      types.set(icns.toString('latin1', at, at + 4), icns.subarray(at + 8, at + length));
      at += length;
    }
    // ic10 is 512@2x (1024 px), ic09 512, ic08 256, ic07 128: PNG payloads.
    expect(pngSize(types.get('ic10')!)).toEqual([1024, 1024]);
    expect(pngSize(types.get('ic08')!)).toEqual([256, 256]);
    expect(ICNS_SIZES).toContain(1024);
  });
});

describe('npm run dist without an Electron runtime', () => {
  const version = '40.9.3';
  const linux = { platform: 'linux' as const, arch: 'x64' };

  it('reads the target from electron-builder flags', () => {
    expect(targetOf([], linux)).toEqual(linux);
    expect(targetOf(['--mac', '--arm64'], linux)).toEqual({ platform: 'darwin', arch: 'arm64' });
    expect(targetOf(['-w'], linux)).toEqual({ platform: 'win32', arch: 'x64' });
  });

  it('finds an installed binary, then a cached zip, then a reachable server, else explains', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'electron-'));
    const pkg = join(dir, 'electron');
    const cache = join(dir, 'cache');
    const env = { ELECTRON_CACHE: cache, ELECTRON_MIRROR: 'http://mirror.invalid/e/' };
    let asked = '';
    const unreachable = async (url: string) => ((asked = url), false);
    const missing = await findElectron({ version, target: linux, host: linux, electronPackageDir: pkg, env, reachable: unreachable });
    expect(missing.ok).toBe(false);
    expect(asked).toBe('http://mirror.invalid/e/v40.9.3/electron-v40.9.3-linux-x64.zip');
    if (!missing.ok) expect(missing.message).toMatch(/Cannot build installers: Electron 40\.9\.3 for linux-x64 is not available[\s\S]*network access/);
    expect(await findElectron({ version, target: linux, host: linux, electronPackageDir: pkg, env, reachable: async () => true })).toMatchObject({ kind: 'download' });
    mkdirSync(join(cache, 'abc123'), { recursive: true });
    writeFileSync(join(cache, 'abc123', electronZipName(version, linux)), '');
    expect(await findElectron({ version, target: linux, host: linux, electronPackageDir: pkg, env, reachable: unreachable })).toMatchObject({ kind: 'cached' });
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    writeFileSync(join(pkg, 'path.txt'), 'electron');
    writeFileSync(join(pkg, 'dist', 'electron'), '');
    expect(await findElectron({ version, target: linux, host: linux, electronPackageDir: pkg, env, reachable: unreachable })).toMatchObject({ kind: 'installed' });
    // The installed binary serves this machine only: another target still needs the zip.
    expect(await findElectron({ version, target: { platform: 'darwin', arch: 'arm64' }, host: linux, electronPackageDir: pkg, env, reachable: unreachable })).toMatchObject({ ok: false });
    expect(electronCacheDir({}, 'linux', '/home/a')).toBe('/home/a/.cache/electron');
  });

  it('exits 1 with the explanation and no stack trace', () => {
    // A target no installed binary serves, an empty cache and an unreachable mirror: the state of a machine without network.
    const target = process.arch === 'arm' ? ['--linux', '--x64'] : ['--linux', '--armv7l'];
    const env = { ...process.env, ELECTRON_CACHE: mkdtempSync(join(tmpdir(), 'cache-')), ELECTRON_MIRROR: 'http://127.0.0.1:9/' };
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/dist.ts', ...target], { env, encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Cannot build installers: Electron [\d.]+ for linux-(armv7l|x64) is not available/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
