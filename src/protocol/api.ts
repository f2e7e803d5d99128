// The contract both transports fulfil: Electron's preload (window.studio) and the browser's
// WebSocket client. The renderer's api module wraps either one in the same typed API.
import type { StudioEvent } from './events/index.ts';
import type { CommandName, CommandParams, ReplyOutcome } from './messages.ts';

export interface StudioTransport {
  /** Sends one command and resolves with its reply (errors come back as `{ ok: false }`). */
  request<K extends CommandName>(type: K, params: CommandParams<K>): Promise<ReplyOutcome>;
  /** Subscribes to every event; returns the unsubscribe function. */
  onEvent(listener: (event: StudioEvent) => void): () => void;
  /** 'electron' (preload) or 'browser' (loopback bridge). */
  readonly kind: 'electron' | 'browser';
}

/** Size limit for one message over the bridge; larger ones get a PayloadTooLarge error. */
export const MAX_MESSAGE_BYTES = 1 << 20;
