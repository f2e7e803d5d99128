// What the preload puts on window: visible to the renderer's TypeScript (tsconfig.web.json).
import type { StudioTransport } from '../protocol/api.ts';

declare global {
  interface Window {
    /** Present in the Electron app; absent in a browser (the renderer then uses the bridge). */
    studio?: StudioTransport;
    /** Electron only: the host path of a dropped or picked File (webUtils.getPathForFile); '' if it has none. */
    studioFiles?: { pathForFile(file: File): string };
  }
}

export {};
