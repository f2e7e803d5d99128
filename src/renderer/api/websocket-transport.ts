// The browser transport: the loopback bridge's WebSocket (src/cli/serve.ts), speaking the same
// StudioTransport as Electron's preload. Replies are matched by requestId; a lost connection
// fails pending requests, is announced as host.state 'disconnected', and is retried.
import {
  decodeJson,
  encodeJson,
  parseIncoming,
  wireError,
  type CommandName,
  type CommandParams,
  type ReplyOutcome,
  type StudioEvent,
  type StudioTransport,
} from '../../protocol/index.ts';

export function bridgeUrl(location: Location): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  return `ws://${location.host}/api?token=${encodeURIComponent(token)}`;
}

export function websocketTransport(url: string): StudioTransport {
  const listeners = new Set<(event: StudioEvent) => void>();
  const pending = new Map<string, (outcome: ReplyOutcome) => void>();
  const queue: string[] = [];
  let socket: WebSocket;
  let nextId = 1;
  let retryMs = 500;
  let everOpened = false;

  const emit = (event: StudioEvent) => listeners.forEach((listener) => listener(event));

  function open(): void {
    socket = new WebSocket(url);
    socket.onopen = () => {
      retryMs = 500;
      for (const text of queue.splice(0)) socket.send(text);
      if (everOpened) void transport.request('host.status', {}).then((o) => o.ok && emit(o.result as StudioEvent));
      everOpened = true;
    };
    socket.onmessage = (message) => {
      let raw: unknown;
      try {
        raw = decodeJson(String(message.data));
      } catch {
        return;
      }
      const incoming = parseIncoming(raw);
      if (incoming.kind === 'reply') {
        const resolve = pending.get(incoming.reply.requestId);
        pending.delete(incoming.reply.requestId);
        const { reply } = incoming;
        resolve?.(reply.ok ? { ok: true, result: reply.result } : { ok: false, error: reply.error });
      } else if (incoming.kind === 'event') {
        emit(incoming.event);
      }
    };
    socket.onclose = (close) => {
      const reason = close.code === 1006 && !everOpened ? 'the bridge refused the connection (is the token in the URL right?)' : 'lost the connection to the bridge';
      for (const resolve of pending.values()) resolve({ ok: false, error: wireError('HostUnavailable', `The app ${reason}.`) });
      pending.clear();
      emit({ type: 'host.state', state: 'disconnected', reason: `The page ${reason}; retrying…`, generation: 0, at: Date.now() });
      setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    };
  }

  const transport: StudioTransport = {
    kind: 'browser',
    request<K extends CommandName>(type: K, params: CommandParams<K>): Promise<ReplyOutcome> {
      const requestId = `w${nextId++}`;
      const text = encodeJson({ type, requestId, params });
      return new Promise((resolve) => {
        pending.set(requestId, resolve);
        if (socket.readyState === WebSocket.OPEN) socket.send(text);
        else queue.push(text);
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  open();
  return transport;
}
