// The envelopes every process boundary speaks, and the one place they are validated.
//   request  { type: <command name>, requestId, params }          caller → answerer
//   reply    { type: 'reply', requestId, ok: true, result }       answerer → caller
//            { type: 'reply', requestId, ok: false, error }
//   event    { type: <event name>, ...fields }                     engine/app → renderer
import * as v from 'valibot';
import { commands } from './commands/index.ts';
import type { AnySchema } from './define.ts';
import { EventSchema, type StudioEvent } from './events/index.ts';
import { WireErrorSchema, wireError, type WireError } from './wire-error.ts';

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type EngineCommandName = { [K in CommandName]: Commands[K]['target'] extends 'engine' ? K : never }[CommandName];
export type AppCommandName = Exclude<CommandName, EngineCommandName>;
export type CommandParams<K extends CommandName> = v.InferInput<Commands[K]['params']>;
export type CommandResult<K extends CommandName> = v.InferOutput<Commands[K]['result']>;

export type RequestMessage<K extends CommandName = CommandName> = {
  [N in K]: { type: N; requestId: string; params: v.InferOutput<Commands[N]['params']> };
}[K];

export const ReplySchema = v.variant('ok', [
  v.object({ type: v.literal('reply'), requestId: v.string(), ok: v.literal(true), result: v.unknown() }),
  v.object({ type: v.literal('reply'), requestId: v.string(), ok: v.literal(false), error: WireErrorSchema }),
]);
export type ReplyMessage = v.InferOutput<typeof ReplySchema>;
/** A reply without its envelope: what a transport hands back for one request. */
export type ReplyOutcome = { ok: true; result: unknown } | { ok: false; error: WireError };

/** Envelope check only: the params are checked against the command's own schema afterwards. */
const RequestEnvelopeSchema = v.object({
  type: v.pipe(v.string(), v.maxLength(100)),
  requestId: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
  params: v.optional(v.unknown()),
});

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}

function issuesText(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const path = v.getDotPath(issue);
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

export type ParsedRequest =
  | { ok: true; request: RequestMessage }
  | { ok: false; requestId: string | undefined; error: WireError };

/** Validates an incoming request: envelope, known command, then the command's params. */
export function parseRequest(raw: unknown): ParsedRequest {
  const envelope = v.safeParse(RequestEnvelopeSchema, raw);
  if (!envelope.success) {
    const requestId =
      typeof raw === 'object' && raw !== null && typeof (raw as { requestId?: unknown }).requestId === 'string'
        ? (raw as { requestId: string }).requestId.slice(0, 100)
        : undefined;
    const text = `Not a valid request (expected { type, requestId, params }): ${issuesText(envelope.issues)}`;
    return { ok: false, requestId, error: wireError('InvalidMessage', text) };
  }
  const { type, requestId, params } = envelope.output;
  if (!isCommandName(type)) {
    const known = Object.keys(commands).join(', ');
    return { ok: false, requestId, error: wireError('UnknownCommand', `Unknown command "${type}". Known commands: ${known}.`) };
  }
  const checked = v.safeParse(commands[type].params as AnySchema, params ?? {});
  if (!checked.success) {
    const text = `Invalid params for ${type}: ${issuesText(checked.issues)}`;
    return { ok: false, requestId, error: wireError('InvalidParams', text) };
  }
  return { ok: true, request: { type, requestId, params: checked.output } as RequestMessage };
}

/** Checks a successful reply's result against its command's schema. */
export function parseResult<K extends CommandName>(type: K, result: unknown):
  | { ok: true; result: CommandResult<K> }
  | { ok: false; error: WireError } {
  const checked = v.safeParse(commands[type].result as AnySchema, result);
  if (checked.success) return { ok: true, result: checked.output as CommandResult<K> };
  return { ok: false, error: wireError('InvalidResult', `Invalid result for ${type}: ${issuesText(checked.issues)}`) };
}

export function parseReply(raw: unknown): ReplyMessage | undefined {
  const parsed = v.safeParse(ReplySchema, raw);
  return parsed.success ? parsed.output : undefined;
}

export function parseEvent(raw: unknown): StudioEvent | undefined {
  const parsed = v.safeParse(EventSchema, raw);
  return parsed.success ? parsed.output : undefined;
}

/** What arrives from a host or a bridge: a reply to one request, or an event for everyone. */
export function parseIncoming(raw: unknown):
  | { kind: 'reply'; reply: ReplyMessage }
  | { kind: 'event'; event: StudioEvent }
  | { kind: 'invalid'; error: WireError } {
  if (typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'reply') {
    const reply = parseReply(raw);
    if (reply) return { kind: 'reply', reply };
    return { kind: 'invalid', error: wireError('InvalidMessage', 'Malformed reply') };
  }
  const parsed = v.safeParse(EventSchema, raw);
  if (parsed.success) return { kind: 'event', event: parsed.output };
  return { kind: 'invalid', error: wireError('InvalidMessage', `Malformed event: ${issuesText(parsed.issues)}`) };
}

export function replyOk(requestId: string, result: unknown): ReplyMessage {
  return { type: 'reply', requestId, ok: true, result };
}

export function replyError(requestId: string, error: WireError): ReplyMessage {
  return { type: 'reply', requestId, ok: false, error };
}
