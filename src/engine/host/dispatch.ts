// Turns one raw message into one reply: validate, find the handler, run it, check its result.
// Never throws: every failure becomes an error reply the caller can show.
import {
  commands,
  parseRequest,
  parseResult,
  replyError,
  replyOk,
  toWireError,
  wireError,
  type EngineCommandName,
  type ReplyMessage,
} from '../../protocol/index.ts';
import type { HostContext } from './context.ts';
import { handlers } from './handlers/index.ts';
import type { Handler } from './handlers/types.ts';

export async function dispatch(raw: unknown, host: HostContext): Promise<ReplyMessage> {
  const parsed = parseRequest(raw);
  if (!parsed.ok) return replyError(parsed.requestId ?? '', parsed.error);
  const { type, requestId, params } = parsed.request;
  if (commands[type].target !== 'engine') {
    return replyError(requestId, wireError('UnknownCommand', `${type} is answered by the app, not the engine host`));
  }
  const handler = handlers[type as EngineCommandName] as Handler<EngineCommandName>;
  try {
    const result = await handler(params as never, host);
    const checked = parseResult(type, result);
    return checked.ok ? replyOk(requestId, checked.result) : replyError(requestId, checked.error);
  } catch (error) {
    return replyError(requestId, toWireError(error));
  }
}
