// The one entry point for a request from a renderer, whichever way it came (Electron IPC or the
// bridge's WebSocket): validate it, answer app commands here, pass engine commands to the host.
import {
  commands,
  parseRequest,
  replyError,
  replyOk,
  toWireError,
  type AppCommandName,
  type CommandParams,
  type CommandResult,
  type DriverChoice,
  type EngineCommandName,
  type ReplyMessage,
} from '../protocol/index.ts';
import type { EngineSupervisor } from './supervisor.ts';

export type AppHandlers = {
  [K in AppCommandName]: (params: CommandParams<K>) => Promise<CommandResult<K>>;
};

export interface AppHooks {
  /** Called when a person picks a Vulkan driver (host.restart with `driver`), to remember it. */
  onDriverChosen?: (driver: DriverChoice) => void;
  /** Shows a path in the file manager (Electron's shell); absent in the browser bridge. */
  revealPath?: (path: string) => boolean;
}

/** Handlers for commands the app answers itself (host lifecycle). */
export function appHandlers(supervisor: EngineSupervisor, hooks: AppHooks = {}): AppHandlers {
  return {
    'host.status': async () => supervisor.state,
    'host.restart': async ({ driver }) => {
      if (driver) hooks.onDriverChosen?.(driver);
      return supervisor.restart(driver);
    },
    'run.reveal': async ({ runDir }) => ({ revealed: hooks.revealPath?.(runDir) ?? false, path: runDir }),
  };
}

export function createRouter(supervisor: EngineSupervisor, handlers: AppHandlers = appHandlers(supervisor)) {
  return async function route(raw: unknown): Promise<ReplyMessage> {
    const parsed = parseRequest(raw);
    if (!parsed.ok) return replyError(parsed.requestId ?? '', parsed.error);
    const { type, requestId, params } = parsed.request;
    if (commands[type].target === 'app') {
      const handler = handlers[type as AppCommandName] as (params: unknown) => Promise<unknown>;
      try {
        return replyOk(requestId, await handler(params));
      } catch (error) {
        return replyError(requestId, toWireError(error));
      }
    }
    const outcome = await supervisor.request(type as EngineCommandName, params as never);
    return outcome.ok ? replyOk(requestId, outcome.result) : replyError(requestId, outcome.error);
  };
}

export type Router = ReturnType<typeof createRouter>;
