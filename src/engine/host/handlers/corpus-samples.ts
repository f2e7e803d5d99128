import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { SampleFile } from '../../../protocol/index.ts';
import type { Handler } from './types.ts';

/** Lists assets/sample-corpus/*.txt|*.tsv; an absent or empty folder is an empty list, not an error. */
export const corpusSamples: Handler<'corpus.samples'> = async (_params, host) => {
  if (!host.settings.assetsDir) return { files: [] };
  const dir = join(host.settings.assetsDir, 'sample-corpus');
  const names = await readdir(dir).catch(() => [] as string[]);
  const files: SampleFile[] = [];
  for (const name of names.sort()) {
    const format = extname(name).slice(1).toLowerCase();
    if (format !== 'txt' && format !== 'tsv') continue;
    const info = await stat(join(dir, name));
    if (info.isFile()) files.push({ name, bytes: info.size, format });
  }
  return { files };
};
