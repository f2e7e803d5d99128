// The committed PyTorch goldens of a tiny GPT (scripts/goldens/make_goldens.py): config,
// parameters by Hugging Face name, input rows and the logits PyTorch computed for them.
import { readFileSync } from 'node:fs';
import { readSafetensors } from '../../../src/engine/io/safetensors';
import { decoderConfig } from '../../../src/engine/model/config';
import type { Params } from './reference-gpt';

export function loadGolden(name: 'gpt' | 'gpt_nobias') {
  const meta = JSON.parse(readFileSync(`tests/goldens/${name}.json`, 'utf8'));
  const { batchSize, ignoreIndex, ...model } = meta.config;
  void ignoreIndex;
  const cfg = decoderConfig(model);
  const file = readSafetensors(`tests/goldens/${name}.safetensors`);
  const params: Params = new Map();
  for (const [k, t] of file.tensors) if (k.startsWith('param.')) params.set(k.slice(6), t.data as Float32Array);
  const idx = file.tensors.get('input.idx')!;
  const logits = file.tensors.get('output.logits')!.data as Float32Array;
  const T = cfg.blockSize;
  const rows = Array.from({ length: batchSize as number }, (_, b) => Array.from(idx.data.subarray(b * T, (b + 1) * T)));
  return { cfg, params, rows, logits, T };
}

