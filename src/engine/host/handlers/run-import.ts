// run.import: a Hugging Face checkpoint folder becomes a run in the runs directory, with progress
// events a progress bar can follow (at most four a second, and always the last).
import { basename, join, resolve } from 'node:path';
import { importHfCheckpoint } from '../../hf-import/index.ts';
import { runsOf } from '../run-service/index.ts';
import type { Handler } from './types.ts';

export const runImport: Handler<'run.import'> = async ({ importId, from, name }, host) => {
  const source = resolve(from);
  const runDir = join(runsOf(host).runsDir, name || basename(source));
  let last = 0;
  return importHfCheckpoint({
    from: source,
    into: runDir,
    onProgress: (phase, fraction) => {
      const now = Date.now();
      if (fraction < 1 && now - last < 250) return;
      last = now;
      host.emit({ type: 'import.progress', importId, phase, fraction });
    },
  });
};
