// `npm run serve`: the loopback bridge. Serves the built renderer on 127.0.0.1 and speaks the
// preload's API over a WebSocket (/api) to the same engine host the app uses, so the same
// renderer runs in any browser (and in the Playwright tests). A random token, printed in the URL,
// is required for the WebSocket; without it nothing reaches the engine.
//
//   node out/main/serve.js [--port N] [--driver auto|native|lavapipe|swiftshader] [--adapter high-performance|low-power|NAME]
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  adapterChoiceFromText,
  adapterChoiceToText,
  decodeJson,
  DriverChoiceSchema,
  encodeJson,
  MAX_MESSAGE_BYTES,
  wireError,
  type DriverChoice,
  type StudioEvent,
} from '../protocol/index.ts';
import { forkLauncher } from '../main/launch-fork.ts';
import { builtPaths } from '../main/paths.ts';
import { createRouter, type Router } from '../main/router.ts';
import { EngineSupervisor } from '../main/supervisor.ts';
import * as v from 'valibot';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

// The same policy as the app's index.html, plus the one WebSocket this server offers.
function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy':
      `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; ` +
      `font-src 'self' data:; connect-src 'self' ws://127.0.0.1:${port}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function serveStatic(root: string, request: IncomingMessage, response: ServerResponse, port: number): Promise<void> {
  const headers = securityHeaders(port);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, headers).end('Method not allowed');
    return;
  }
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const relative = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
  const path = join(root, relative === '' ? 'index.html' : relative);
  if (!path.startsWith(root.endsWith(sep) ? root : root + sep)) {
    response.writeHead(403, headers).end('Forbidden');
    return;
  }
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) {
    response.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('Not found');
    return;
  }
  response.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' });
  if (request.method === 'HEAD') response.end();
  else createReadStream(path).pipe(response);
}

export interface BridgeOptions {
  port?: number;
  token?: string;
  rendererRoot: string;
  supervisor: EngineSupervisor;
}

export interface Bridge {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Starts the HTTP + WebSocket server on 127.0.0.1 and wires it to the supervisor. */
export async function startBridge({ port = 0, token = randomBytes(24).toString('base64url'), rendererRoot, supervisor }: BridgeOptions): Promise<Bridge> {
  const route: Router = createRouter(supervisor);
  let boundPort = port;
  const server = createServer((request, response) => {
    serveStatic(rendererRoot, request, response, boundPort).catch(() => response.writeHead(500).end());
  });
  // maxPayload is the hard limit (the socket is closed past it); MAX_MESSAGE_BYTES, checked below,
  // is the polite one: the client gets a PayloadTooLarge error and the connection stays up.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 16 * MAX_MESSAGE_BYTES });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${text}\n`);
    };
    const hostOk = request.headers.host === `127.0.0.1:${boundPort}` || request.headers.host === `localhost:${boundPort}`;
    const origin = request.headers.origin;
    const originOk = !origin || origin === `http://127.0.0.1:${boundPort}` || origin === `http://localhost:${boundPort}`;
    if (url.pathname !== '/api') return refuse(404, 'Not Found');
    if (!hostOk || !originOk) return refuse(403, 'Forbidden: the bridge only accepts its own page on 127.0.0.1');
    const given = url.searchParams.get('token');
    if (!given) return refuse(401, 'Unauthorized: missing token (open the URL printed by npm run serve)');
    if (!sameToken(given, token)) return refuse(401, 'Unauthorized: wrong token (open the URL printed by npm run serve)');
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  });

  sockets.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => clients.delete(ws));
    const sendJson = (message: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(encodeJson(message));
    };
    ws.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
      if (isBinary) {
        return sendJson({ type: 'protocol.error', error: wireError('InvalidMessage', 'Binary frames are not accepted; send JSON text.') });
      }
      if (bytes > MAX_MESSAGE_BYTES) {
        const text = `Message of ${bytes} bytes exceeds the limit of ${MAX_MESSAGE_BYTES} bytes.`;
        return sendJson({ type: 'protocol.error', error: wireError('PayloadTooLarge', text) });
      }
      let raw: unknown;
      try {
        raw = decodeJson(data.toString());
      } catch (error) {
        const text = `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
        return sendJson({ type: 'protocol.error', error: wireError('InvalidMessage', text) });
      }
      void route(raw).then(sendJson);
    });
  });

  const broadcast = (event: StudioEvent) => {
    const text = encodeJson(event);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  };
  const unsubscribe = supervisor.onEvent(broadcast);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${boundPort}/?token=${token}`,
    port: boundPort,
    token,
    close: async () => {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      driver: { type: 'string', default: process.env.PRETRAIN_STUDIO_VULKAN_ICD ? undefined : 'auto' },
      adapter: { type: 'string' },
    },
  });
  // The forked engine host reads its adapter choice from the environment it inherits.
  if (values.adapter !== undefined) {
    const choice = adapterChoiceFromText(values.adapter);
    if (!choice.success) throw new Error(`--adapter must be high-performance, low-power or an adapter name, got "${values.adapter}"`);
    process.env.PRETRAIN_STUDIO_ADAPTER = adapterChoiceToText(choice.output);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${values.port}`);
  const driver: DriverChoice | undefined = values.driver ? v.parse(DriverChoiceSchema, values.driver) : undefined;
  const paths = builtPaths(import.meta.url);
  const supervisor = new EngineSupervisor({ entry: paths.hostEntry, launcher: forkLauncher(), assetsDir: paths.assetsDir, driver });
  supervisor.onEvent((event) => {
    if (event.type === 'host.state') console.log(`engine: ${event.state}${event.reason ? ` (${event.reason})` : ''}${event.driver ? ` [${event.driver}]` : ''}${event.pid ? ` pid ${event.pid}` : ''}`);
    if (event.type === 'host.log' && event.level !== 'debug') console.log(`engine ${event.level}: ${event.message}`);
  });
  const bridge = await startBridge({ port, supervisor, rendererRoot: paths.rendererDir });
  console.log(`Pretrain Studio is serving on ${bridge.url}`);
  console.log('Open that URL in a browser (the token in it is required). Ctrl+C stops.');
  void supervisor.start();
  const stop = async () => {
    await bridge.close();
    await supervisor.stop(3_000);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
