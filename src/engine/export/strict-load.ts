import type { ParamLayout } from '../model/params';
import { deserializeModel } from '../train/weights-io';

/**
 * Parses a checkpoint against the run's layout and refuses any difference: an export or an import
 * moves a run between machines, so a missing head or a stray tensor means the files are not the
 * run's, where resuming would initialise or drop them.
 */
export function strictLoad(layout: ParamLayout, bytes: Uint8Array, path: string): Float32Array {
  const loaded = deserializeModel(layout, bytes, path);
  if (loaded.initialised.length) throw new Error(`${path}: lacks ${loaded.initialised.join(', ')}, which this run's model has`);
  if (loaded.unexpected.length) throw new Error(`${path}: has ${loaded.unexpected.join(', ')}, which this run's model does not`);
  return loaded.params;
}
