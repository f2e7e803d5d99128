import { expect, test } from 'vitest';
import { parseArgs } from '../../../src/engine/config/args';
import { PRESETS } from '../../../src/engine/config/presets';
import { DEFAULT_TRAIN_OPTIONS, modelConfigFor, validateTrainOptions } from '../../../src/engine/config/train-config';

test('options parse to the type of their default, both spellings', () => {
  const { values, given } = parseArgs(['--steps=50', '--lr', '3e-4', '--bias', '--corpus', 'a.txt', 'dir/', '--objective=mlm'], DEFAULT_TRAIN_OPTIONS as never);
  const v = values as unknown as typeof DEFAULT_TRAIN_OPTIONS;
  expect(v.steps).toBe(50);
  expect(v.lr).toBe(3e-4);
  expect(v.bias).toBe(true);
  expect(v.corpus).toEqual(['a.txt', 'dir/']);
  expect(v.objective).toBe('mlm');
  expect([...given].sort()).toEqual(['bias', 'corpus', 'lr', 'objective', 'steps']);
});

test('unknown keys and bad values are refused by name', () => {
  expect(() => parseArgs(['--stepz=5'], DEFAULT_TRAIN_OPTIONS as never)).toThrow(/--stepz/);
  expect(() => parseArgs(['--steps=many'], DEFAULT_TRAIN_OPTIONS as never)).toThrow(/--steps expects a number/);
  expect(() => validateTrainOptions({ ...DEFAULT_TRAIN_OPTIONS, objective: 'gan' })).toThrow(/objective 'gan' is not a registered objective/);
  expect(() => validateTrainOptions({ ...DEFAULT_TRAIN_OPTIONS, lr: 1e-3, minLr: 1e-2 })).toThrow(/minLr must not exceed lr; got 0.01/);
  expect(() => validateTrainOptions({ ...DEFAULT_TRAIN_OPTIONS, stepz: 5 })).toThrow(/stepz is not an option/);
  expect(() => validateTrainOptions({ ...DEFAULT_TRAIN_OPTIONS, valFraction: 1 })).toThrow(/valFraction/);
});

test('every preset validates and yields a buildable model', () => {
  for (const [name, preset] of Object.entries(PRESETS)) {
    const o = validateTrainOptions({ ...DEFAULT_TRAIN_OPTIONS, ...preset.options });
    const m = modelConfigFor(o, 65);
    expect(m.nEmbd % m.nHead, name).toBe(0);
  }
  const baby = modelConfigFor({ ...DEFAULT_TRAIN_OPTIONS, ...PRESETS['baby-shakespeare-char'].options }, 65);
  expect([baby.nLayer, baby.nHead, baby.nEmbd, baby.blockSize, baby.bias, baby.tiedEmbeddings]).toEqual([4, 4, 128, 64, false, true]);
});

test('each objective gets its own architecture family', () => {
  const kinds = ['clm', 'mlm', 'mlm+nsp', 'bart'].map((objective) => {
    const m = modelConfigFor({ ...DEFAULT_TRAIN_OPTIONS, objective }, 100);
    return [m.kind, m.norm, m.pooler];
  });
  expect(kinds).toEqual([['decoder', 'pre', false], ['encoder', 'post', false], ['encoder', 'post', true], ['encoder-decoder', 'post', false]]);
  expect(() => modelConfigFor({ ...DEFAULT_TRAIN_OPTIONS, objective: 'classify' }, 100)).toThrow(/'classify' is not available yet/);
});
