// Application icons from assets/icons/icon.svg, made at build time (they are build outputs, not
// committed): icon-gen renders the SVG with sharp (prebuilt libvips, no network) and packs the
// Windows .ico and macOS .icns; the PNG sizes go to png/<N>x<N>.png, the names electron-builder
// reads for Linux icon themes (AppImage, deb).
//   node --import tsx scripts/make-icons.ts [outDir]    (default build/icons)
import { mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import generateIcon from 'icon-gen';

export const ICON_SOURCE = resolve('assets/icons/icon.svg');
/** Linux desktop icon sizes (hicolor theme), up to 1024 for the AppImage and HiDPI docks. */
export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
/** Windows picks from these for the taskbar, Explorer views and the installer (256 is the largest .ico holds). */
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** macOS: icon-gen writes each size and its @2x variant the .icns format defines, up to 1024. */
export const ICNS_SIZES = [16, 32, 64, 128, 256, 512, 1024];

export interface IconFiles {
  ico: string;
  icns: string;
  pngDir: string;
  pngs: Record<number, string>;
}

export async function makeIcons(outDir = resolve('build/icons'), source = ICON_SOURCE): Promise<IconFiles> {
  await rm(outDir, { recursive: true, force: true });
  const pngDir = join(outDir, 'png');
  await mkdir(pngDir, { recursive: true });
  // icon-gen names favicon PNGs <prefix><size>.png; it also writes a favicon.ico we do not use.
  await generateIcon(source, outDir, {
    report: false,
    ico: { name: 'icon', sizes: ICO_SIZES },
    icns: { name: 'icon', sizes: ICNS_SIZES },
    favicon: { name: 'png-', pngSizes: PNG_SIZES, icoSizes: [16] },
  });
  await rm(join(outDir, 'favicon.ico'), { force: true });
  const pngs: Record<number, string> = {};
  for (const size of PNG_SIZES) {
    pngs[size] = join(pngDir, `${size}x${size}.png`);
    await rename(join(outDir, `png-${size}.png`), pngs[size]);
  }
  return { ico: join(outDir, 'icon.ico'), icns: join(outDir, 'icon.icns'), pngDir, pngs };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = await makeIcons(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`Icons written: ${files.ico}, ${files.icns}, ${Object.keys(files.pngs).length} PNGs in ${files.pngDir}`);
}
