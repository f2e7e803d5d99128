// `npm run train` arguments: presets then overrides, strict refusal, resume limits, --help coverage.
import { describe, expect, test } from 'vitest';
import { DEFAULT_TRAIN_OPTIONS } from '../../../src/engine/config/train-config';
import { PRESETS } from '../../../src/engine/config/presets';
import { requestFromArgs } from '../../../src/cli/train-args';
import { generateHelp, trainHelp } from '../../../src/cli/help';
import { listObjectives } from '../../../src/engine/objectives/index.ts';

describe('requestFromArgs', () => {
  test('a preset, then the options given, win in that order', () => {
    const { request } = requestFromArgs(['--corpus', 'a.txt', 'b.txt', '--preset', 'baby-shakespeare-char', '--steps=50', '--lr', '5e-4']);
    expect(request).toMatchObject({ kind: 'new' });
    if (request?.kind !== 'new') throw new Error('expected a new run');
    expect(request.options.corpus).toEqual(['a.txt', 'b.txt']);
    expect(request.options.steps).toBe(50);
    expect(request.options.lr).toBe(5e-4);
    expect(request.options.nEmbd).toBe(PRESETS['baby-shakespeare-char'].options.nEmbd);
    expect(request.options.split).toBe('tail');
    expect(request.options.keepCheckpoints).toBe(DEFAULT_TRAIN_OPTIONS.keepCheckpoints);
  });

  test('refuses unknown options, bad values, unknown presets, missing corpus, unavailable objectives', () => {
    expect(() => requestFromArgs(['--corpus', 'a', '--stepz', '3'])).toThrow(/Unknown option --stepz/);
    expect(() => requestFromArgs(['--corpus', 'a', '--steps', 'many'])).toThrow(/--steps expects a number/);
    expect(() => requestFromArgs(['--corpus', 'a', '--preset', 'huge'])).toThrow(/unknown --preset 'huge'/);
    expect(() => requestFromArgs(['--steps', '3'])).toThrow(/no corpus/);
    expect(() => requestFromArgs(['--corpus', 'a', '--objective', 'classify'])).toThrow(/--objective 'classify' is not available yet/);
    expect(() => requestFromArgs(['--corpus', 'a', '--lr', '-1'])).toThrow(/invalid options: --lr must be above 0; got -1/);
    for (const objective of ['mlm', 'mlm+nsp', 'bart', 't5-span']) expect(() => requestFromArgs(['--corpus', 'a', '--objective', objective])).not.toThrow();
    expect(() => requestFromArgs(['stray', '--corpus', 'a'])).toThrow(/unexpected argument 'stray'/);
    expect(() => requestFromArgs(['--corpus', 'a', '--nHead', '3'])).not.toThrow(); // divisibility is the model's check
  });

  test('--resume keeps the run options; only --steps and --driver may change', () => {
    const { request, driver } = requestFromArgs(['--resume', 'runs/x', '--steps', '10', '--driver', 'lavapipe']);
    expect(request).toMatchObject({ kind: 'resume', steps: 10 });
    expect(driver).toBe('lavapipe');
    expect(() => requestFromArgs(['--resume', 'runs/x', '--lr', '1'])).toThrow(/only --steps and --driver/);
  });

  test('--help documents every training option, the presets and the command options', () => {
    expect(requestFromArgs(['--help']).request).toBeNull();
    const help = trainHelp();
    for (const key of Object.keys(DEFAULT_TRAIN_OPTIONS)) expect(help).toMatch(new RegExp(`--${key}\\s`));
    for (const name of Object.keys(PRESETS)) expect(help).toContain(name);
    // Every registered objective has its line, a planned one with its reason.
    const lines = help.split('\n');
    for (const o of listObjectives()) expect(lines.some((l) => l.startsWith(`  ${o.id} `) && l.includes(o.title)), o.id).toBe(true);
    expect(help).toMatch(/classify .*Not available yet: it learns from labeled rows on a pretrained run: npm run finetune/);
    for (const key of ['preset', 'resume', 'driver', 'help']) expect(help).toContain(`--${key}`);
    for (const key of ['run', 'prompt', 'maxNewTokens', 'temperature', 'topK', 'topP', 'repetitionPenalty', 'stop', 'seed', 'checkpoint']) {
      expect(generateHelp()).toContain(`--${key} `);
    }
  });
});
