import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { SampleFile } from '../../../protocol/index.ts';
import type { Handler } from './types.ts';

const FORMATS = new Set<SampleFile['format']>(['txt', 'tsv', 'csv', 'jsonl']);

/** Lists the corpus files of assets/sample-corpus (not its README); absent or empty is an empty list. */
export const corpusSamples: Handler<'corpus.samples'> = async (_params, host) => {
  if (!host.settings.assetsDir) return { files: [] };
  const dir = join(host.settings.assetsDir, 'sample-corpus');
  const names = await readdir(dir).catch(() => [] as string[]);
  const files: SampleFile[] = [];
  for (const name of names.sort()) {
    const format = extname(name).slice(1).toLowerCase() as SampleFile['format'];
    if (!FORMATS.has(format)) continue;
    const info = await stat(join(dir, name));
    if (info.isFile()) files.push({ name, bytes: info.size, format });
  }
  return { files };
};
