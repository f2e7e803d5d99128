// `node --import tsx --import ./scripts/register-raw.mjs file.ts`: TypeScript plus `?raw` imports.
import { register } from 'node:module';

register('./raw-hooks.mjs', import.meta.url);
