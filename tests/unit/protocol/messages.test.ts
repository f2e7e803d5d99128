import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  commands,
  defineRunEvent,
  parseEvent,
  parseIncoming,
  parseRequest,
  parseResult,
  StudioError,
  toWireError,
} from '../../../src/protocol/index.ts';

describe('parseRequest', () => {
  it('accepts a known command with valid params and fills defaults for none', () => {
    expect(parseRequest({ type: 'host.ping', requestId: 'r1', params: { delayMs: 5 } })).toEqual({
      ok: true,
      request: { type: 'host.ping', requestId: 'r1', params: { delayMs: 5 } },
    });
    expect(parseRequest({ type: 'gpu.info', requestId: 'r2' })).toMatchObject({ ok: true, request: { params: {} } });
  });

  it('names the failure: not an object, missing requestId, unknown command, wrong param types', () => {
    for (const raw of [null, 42, 'gpu.info', [], { type: 'gpu.info' }, { type: 7, requestId: 'x' }]) {
      const parsed = parseRequest(raw);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error.name).toBe('InvalidMessage');
    }
    const unknown = parseRequest({ type: 'run.explode', requestId: 'u' });
    expect(unknown).toMatchObject({ ok: false, requestId: 'u', error: { name: 'UnknownCommand' } });
    if (!unknown.ok) expect(unknown.error.message).toContain('gpu.info');
    const wrong = parseRequest({ type: 'host.ping', requestId: 'w', params: { delayMs: -1 } });
    expect(wrong).toMatchObject({ ok: false, requestId: 'w', error: { name: 'InvalidParams' } });
    if (!wrong.ok) expect(wrong.error.message).toMatch(/host\.ping.*delayMs/);
    const restart = parseRequest({ type: 'host.restart', requestId: 'd', params: { driver: 'voodoo' } });
    expect(restart).toMatchObject({ ok: false, error: { name: 'InvalidParams' } });
  });

  it('does not resolve names through the prototype chain', () => {
    expect(parseRequest({ type: 'toString', requestId: 't' })).toMatchObject({ ok: false, error: { name: 'UnknownCommand' } });
    expect(parseRequest({ type: '__proto__', requestId: 't' })).toMatchObject({ ok: false });
  });
});

describe('results, events and errors', () => {
  it('checks a result against its command schema', () => {
    expect(parseResult('host.ping', { pid: 1, uptimeMs: 2 })).toEqual({ ok: true, result: { pid: 1, uptimeMs: 2 } });
    expect(parseResult('host.ping', { pid: '1' })).toMatchObject({ ok: false, error: { name: 'InvalidResult' } });
  });

  it('tells replies from events and rejects malformed ones', () => {
    expect(parseIncoming({ type: 'reply', requestId: 'a', ok: true, result: 1 }).kind).toBe('reply');
    expect(parseIncoming({ type: 'reply', requestId: 'a', ok: false }).kind).toBe('invalid');
    expect(parseIncoming({ type: 'host.log', level: 'info', message: 'hi' }).kind).toBe('event');
    expect(parseIncoming({ type: 'host.log', level: 'loud', message: 'hi' }).kind).toBe('invalid');
    expect(parseEvent({ type: 'host.state', state: 'ready', generation: 1, at: 0 })).toBeTruthy();
    expect(parseEvent({ type: 'host.state', state: 'sleepy', generation: 1, at: 0 })).toBeUndefined();
  });

  it('carries errors as { name, message, stack } and rebuilds them', () => {
    const wire = toWireError(new RangeError('too big'));
    expect(wire.name).toBe('RangeError');
    expect(wire.stack).toContain('too big');
    const rebuilt = new StudioError(wire);
    expect(rebuilt).toBeInstanceOf(Error);
    expect([rebuilt.name, rebuilt.message]).toEqual(['RangeError', 'too big']);
    expect(toWireError('plain')).toEqual({ name: 'Error', message: 'plain' });
  });

  it('every command declares a target, a timeout and a summary', () => {
    for (const [name, command] of Object.entries(commands)) {
      expect(name).toMatch(/^[a-z][a-z0-9]*\.[a-zA-Z.]+$/);
      expect(['engine', 'app']).toContain(command.target);
      expect(command.timeoutMs).toBeGreaterThan(0);
      expect(command.summary.length).toBeGreaterThan(5);
    }
  });
});

describe('defineRunEvent', () => {
  it('builds a schema with the literal type and a required runId', () => {
    const progress = defineRunEvent('run.progress', { step: v.number() });
    expect(v.is(progress, { type: 'run.progress', runId: 'r1', step: 3 })).toBe(true);
    expect(v.is(progress, { type: 'run.progress', step: 3 })).toBe(false);
    expect(v.is(progress, { type: 'run.other', runId: 'r1', step: 3 })).toBe(false);
  });
});
