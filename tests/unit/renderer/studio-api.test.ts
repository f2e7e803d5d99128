// The renderer's typed API over a fake transport: results are validated, errors keep their name.
import { describe, expect, it } from 'vitest';
import type { ReplyOutcome, StudioTransport } from '../../../src/protocol/index.ts';
import { StudioApi } from '../../../src/renderer/api/studio-api.ts';

function transportReplying(outcome: ReplyOutcome): StudioTransport & { sent: unknown[] } {
  const sent: unknown[] = [];
  return {
    kind: 'browser',
    sent,
    request: async (type, params) => {
      sent.push({ type, params });
      return outcome;
    },
    onEvent: () => () => undefined,
  };
}

describe('StudioApi', () => {
  it('resolves with a validated result', async () => {
    const transport = transportReplying({ ok: true, result: { pid: 42, uptimeMs: 7 } });
    await expect(new StudioApi(transport).call('host.ping', { delayMs: 1 })).resolves.toEqual({ pid: 42, uptimeMs: 7 });
    expect(transport.sent).toEqual([{ type: 'host.ping', params: { delayMs: 1 } }]);
  });

  it('throws the wire error with its name, and rejects a result that breaks the schema', async () => {
    const failing = new StudioApi(transportReplying({ ok: false, error: { name: 'HostExited', message: 'killed by SIGKILL' } }));
    await expect(failing.call('gpu.info', {})).rejects.toMatchObject({ name: 'HostExited', message: 'killed by SIGKILL' });
    const lying = new StudioApi(transportReplying({ ok: true, result: { pid: 'not a number' } }));
    await expect(lying.call('host.ping', {})).rejects.toMatchObject({ name: 'InvalidResult' });
  });
});
