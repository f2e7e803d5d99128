// The host's dispatcher without a process around it: validation, handler lookup, result checks.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostContext } from '../../../src/engine/host/context.ts';
import { dispatch } from '../../../src/engine/host/dispatch.ts';
import { describeExit } from '../../../src/main/host-process.ts';
import { HOST_EXIT_CODES } from '../../../src/protocol/index.ts';

function hostWith(assetsDir: string | undefined): HostContext {
  return new HostContext({ assetsDir }, () => undefined);
}

describe('engine host dispatch', () => {
  it('lists the sample corpus files by format, skipping the README and folders', async () => {
    const assets = mkdtempSync(join(tmpdir(), 'studio-assets-'));
    const dir = join(assets, 'sample-corpus');
    mkdirSync(join(dir, 'nested.txt'), { recursive: true });
    const contents = { 'b-en.txt': 'hello world 你好\n', 'a-reviews.tsv': 'text\tlabel\ngood\t1\n', 'c.csv': 'text,label\n' };
    for (const [name, text] of Object.entries(contents)) writeFileSync(join(dir, name), text);
    const bytes = (name: keyof typeof contents) => Buffer.byteLength(contents[name]);
    writeFileSync(join(dir, 'README.md'), '# how it was made\n');
    const reply = await dispatch({ type: 'corpus.samples', requestId: 'c1', params: {} }, hostWith(assets));
    expect(reply).toEqual({
      type: 'reply',
      requestId: 'c1',
      ok: true,
      result: {
        files: [
          { name: 'a-reviews.tsv', bytes: bytes('a-reviews.tsv'), format: 'tsv' },
          { name: 'b-en.txt', bytes: bytes('b-en.txt'), format: 'txt' },
          { name: 'c.csv', bytes: bytes('c.csv'), format: 'csv' },
        ],
      },
    });
  });

  it('an absent corpus folder is an empty list, not an error', async () => {
    const reply = await dispatch({ type: 'corpus.samples', requestId: 'c2' }, hostWith('/nonexistent'));
    expect(reply).toMatchObject({ ok: true, result: { files: [] } });
  });

  it('refuses app commands and malformed requests with named errors', async () => {
    const host = hostWith(undefined);
    expect(await dispatch({ type: 'host.restart', requestId: 'r', params: {} }, host)).toMatchObject({
      ok: false,
      error: { name: 'UnknownCommand', message: expect.stringContaining('answered by the app') },
    });
    expect(await dispatch({ requestId: 'r' }, host)).toMatchObject({ ok: false, requestId: 'r', error: { name: 'InvalidMessage' } });
  });

  it('run.start refuses bad options by name before any run starts', async () => {
    const host = hostWith(undefined);
    const start = (options: Record<string, unknown>) => dispatch({ type: 'run.start', requestId: 's', params: { options } }, host);
    const typed = await start({ lr: -1, stepz: 3 });
    expect(typed).toMatchObject({ ok: false });
    if (typed.ok) throw new Error('expected a refusal');
    expect(typed.error.message).toMatch(/lr/);
    expect(typed.error.message).toMatch(/stepz/);
    // Each option is checked alone at the boundary; what needs two of them or the registry, after.
    const crossed = await start({ lr: 1e-4, minLr: 1e-3 });
    if (crossed.ok) throw new Error('expected a refusal');
    expect(crossed.error.message).toMatch(/invalid run.start options: minLr must not exceed lr; got 0.001/);
    const planned = await start({ objective: 'classify' });
    if (planned.ok) throw new Error('expected a refusal');
    expect(planned.error.message).toMatch(/objective 'classify' is not available yet: it learns from labeled rows on a pretrained run: npm run finetune/);
  });
});

describe('describeExit', () => {
  it('says why the host exited, for the status bar', () => {
    expect(describeExit({ code: null, signal: 'SIGKILL' })).toBe('killed by SIGKILL');
    expect(describeExit({ code: HOST_EXIT_CODES.deviceLost, signal: null })).toBe('lost its GPU device');
    expect(describeExit({ code: HOST_EXIT_CODES.uncaught, signal: null })).toBe('crashed on an unexpected error');
    expect(describeExit({ code: 3, signal: null })).toBe('exited with code 3');
  });
});
