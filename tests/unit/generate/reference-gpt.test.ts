// The float64 reference GPT the decoder is checked against must itself match PyTorch: the
// committed goldens (tests/goldens/gpt*.safetensors, written by scripts/goldens/make_goldens.py).
import { expect, test } from 'vitest';
import { loadGolden } from './golden';
import { maxRelError, referenceGptForward } from './reference-gpt';

for (const name of ['gpt', 'gpt_nobias'] as const) {
  test(`reference GPT forward matches PyTorch logits (${name})`, () => {
    const { cfg, params, rows, logits, T } = loadGolden(name);
    const V = cfg.vocabSize;
    rows.forEach((ids, b) => {
      const ours = referenceGptForward(cfg, params, ids);
      const err = maxRelError(ours, logits.subarray(b * T * V, (b + 1) * T * V));
      console.log(`${name} row ${b}: max rel err vs PyTorch ${err.toExponential(2)}`);
      expect(err).toBeLessThan(1e-5);
    });
  });
}
