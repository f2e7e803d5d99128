import type { CommandParams, CommandResult, EngineCommandName } from '../../../protocol/index.ts';
import type { HostContext } from '../context.ts';

/** A handler gets validated params and returns a result its command's schema accepts. */
export type Handler<K extends EngineCommandName> = (
  params: CommandParams<K>,
  host: HostContext,
) => Promise<CommandResult<K>>;

export type EngineHandlers = { [K in EngineCommandName]: Handler<K> };
