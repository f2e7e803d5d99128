// The preload: the only bridge between the sandboxed page and the app. It exposes one object,
// window.studio (a StudioTransport), and validates everything crossing in either direction.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import {
  parseEvent,
  parseReply,
  wireError,
  type CommandName,
  type CommandParams,
  type ReplyOutcome,
  type StudioEvent,
  type StudioTransport,
} from '../protocol/index.ts';

// Kept in sync with src/main/index.ts (importing it would pull the main process into the preload).
const REQUEST_CHANNEL = 'studio:request';
const EVENT_CHANNEL = 'studio:event';

let nextId = 1;

const studio: StudioTransport = {
  kind: 'electron',
  async request<K extends CommandName>(type: K, params: CommandParams<K>): Promise<ReplyOutcome> {
    const requestId = `p${nextId++}`;
    const raw: unknown = await ipcRenderer.invoke(REQUEST_CHANNEL, { type, requestId, params });
    const reply = parseReply(raw);
    if (!reply) return { ok: false, error: wireError('InvalidMessage', `The app sent a malformed reply to ${type}.`) };
    return reply.ok ? { ok: true, result: reply.result } : { ok: false, error: reply.error };
  },
  onEvent(listener: (event: StudioEvent) => void): () => void {
    const wrapped = (_event: unknown, raw: unknown) => {
      const event = parseEvent(raw);
      if (event) listener(event);
    };
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
  },
};

contextBridge.exposeInMainWorld('studio', studio);

// Dropped files' paths (File.path is gone since Electron 32): the corpus page imports them in place.
contextBridge.exposeInMainWorld('studioFiles', { pathForFile: (file: File): string => webUtils.getPathForFile(file) });
