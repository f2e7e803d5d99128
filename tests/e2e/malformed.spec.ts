// Bad input over the bridge gets a clear error, never a crash, and the same host keeps serving.
import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { startBridge, TestClient, type RunningBridge } from './bridge.ts';

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

/** Tries to open the WebSocket; resolves with the HTTP status and body of a refusal. */
function refusal(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => reject(new Error('the bridge accepted a connection it should refuse')));
    ws.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    ws.on('error', () => undefined);
  });
}

test('refuses a missing or wrong token, a foreign origin, and path tricks', async ({ request }) => {
  const base = `ws://127.0.0.1:${bridge.port}/api`;
  const missing = await refusal(base);
  expect(missing.status).toBe(401);
  expect(missing.body).toContain('missing token');
  const wrong = await refusal(`${base}?token=${'x'.repeat(bridge.token.length)}`);
  expect(wrong.status).toBe(401);
  expect(wrong.body).toContain('wrong token');
  const foreign = await refusal(`${base}?token=${bridge.token}`, { Origin: 'http://evil.example' });
  expect(foreign.status).toBe(403);

  const traversal = await request.get(`http://127.0.0.1:${bridge.port}/..%2f..%2fpackage.json`);
  expect([403, 404]).toContain(traversal.status());
  const page = await request.get(`http://127.0.0.1:${bridge.port}/`);
  expect(page.headers()['content-security-policy']).toContain("script-src 'self'");
});

test('answers malformed messages with clear errors and keeps serving', async () => {
  const client = await TestClient.connect(bridge);
  const first = await client.request('host.ping', {});
  expect(first.ok).toBe(true);
  const pid = (first.result as { pid: number }).pid;

  client.ws.send('{ not json');
  const notJson = await client.next((m) => m.type === 'protocol.error');
  expect(notJson.error).toMatchObject({ name: 'InvalidMessage' });
  expect((notJson.error as { message: string }).message).toContain('Not valid JSON');

  const unknown = await client.request('engine.selfDestruct', {});
  expect(unknown).toMatchObject({ ok: false, error: { name: 'UnknownCommand' } });
  expect((unknown.error as { message: string }).message).toContain('Known commands: host.ping');

  const wrongType = await client.request('host.ping', { delayMs: 'later' });
  expect(wrongType).toMatchObject({ ok: false, error: { name: 'InvalidParams' } });
  expect((wrongType.error as { message: string }).message).toMatch(/host\.ping.*delayMs/);

  const wrongDriver = await client.request('host.restart', { driver: 42 });
  expect(wrongDriver).toMatchObject({ ok: false, error: { name: 'InvalidParams' } });

  client.ws.send(JSON.stringify({ type: 'host.ping', params: {} }));
  const noId = await client.next((m) => m.type === 'reply' && m.requestId === '');
  expect(noId.error).toMatchObject({ name: 'InvalidMessage' });

  client.ws.send(JSON.stringify({ type: 'host.ping', requestId: 'big', params: { pad: 'x'.repeat(2 << 20) } }));
  const tooBig = await client.next((m) => m.type === 'protocol.error' && (m.error as { name: string }).name === 'PayloadTooLarge');
  expect((tooBig.error as { message: string }).message).toMatch(/exceeds the limit of 1048576 bytes/);

  // Same connection, same host process: still serving.
  const last = await client.request('host.ping', {});
  expect(last).toMatchObject({ ok: true });
  expect((last.result as { pid: number }).pid).toBe(pid);
  expect(client.ws.readyState).toBe(WebSocket.OPEN);
  client.close();
});
