// config.json's GELU form: written from ModelConfig.activation ('gelu' → 'gelu', 'gelu_tanh' →
// 'gelu_new') and read back; folders whose model block predates the field load as the HF key says.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { DEFAULT_TRAIN_OPTIONS, modelConfigFor } from '../../../src/engine/config/train-config';
import { decoderConfig, encoderConfig, encoderDecoderConfig, type Activation } from '../../../src/engine/model/config';
import { activationFromHf, bartKeys, bertKeys, gpt2Keys, hfActivation } from '../../../src/engine/train/hf-config';
import { readRunConfig } from '../../../src/engine/train/run-folder';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('every writer names the model\'s GELU form, and it reads back', () => {
  for (const activation of ['gelu', 'gelu_tanh'] as Activation[]) {
    const hf = activation === 'gelu' ? 'gelu' : 'gelu_new';
    expect(bertKeys(encoderConfig({ activation }), 0, 'BertForPreTraining').hidden_act).toBe(hf);
    expect(gpt2Keys(decoderConfig({ activation }), 0).activation_function).toBe(hf);
    expect(bartKeys(encoderDecoderConfig({ activation }), {}).activation_function).toBe(hf);
    expect(activationFromHf(hfActivation(activation))).toBe(activation);
  }
  expect(activationFromHf('gelu_pytorch_tanh')).toBe('gelu_tanh');
  expect(() => activationFromHf('relu')).toThrow(/'relu'/);
});

test('BERT objectives train exact erf GELU, as BERT does; GPT keeps the tanh form', () => {
  const shape = (objective: string) => modelConfigFor({ ...DEFAULT_TRAIN_OPTIONS, objective }, 100).activation;
  expect(shape('mlm')).toBe('gelu');
  expect(shape('mlm+nsp')).toBe('gelu');
  expect(shape('clm')).toBe('gelu_tanh');
});

test('a saved run without the field loads the form its config.json names (gelu_new = tanh)', () => {
  const write = (hidden_act: string | undefined, activation?: Activation) => {
    const dir = mkdtempSync(join(tmpdir(), 'ps-hfcfg-'));
    dirs.push(dir);
    const model: Record<string, unknown> = { ...encoderConfig({ nLayer: 1, nEmbd: 16, nHead: 2, vocabSize: 40 }) };
    if (activation) model.activation = activation;
    else delete model.activation;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...(hidden_act ? { hidden_act } : {}), pretrain_studio: { version: 1, objective: 'mlm+nsp', options: { ...DEFAULT_TRAIN_OPTIONS, objective: 'mlm+nsp' }, model } }));
    return readRunConfig(dir).pretrain_studio.model.activation;
  };
  expect(write('gelu_new')).toBe('gelu_tanh');
  expect(write('gelu')).toBe('gelu');
  expect(write(undefined)).toBe('gelu_tanh');
  expect(write('gelu_new', 'gelu_tanh')).toBe('gelu_tanh');
  expect(write('gelu', 'gelu')).toBe('gelu');
});
