// The renderer's typed engine API, the same over either transport: `call` resolves with the
// command's validated result or throws a StudioError carrying the wire error's name and message.
import {
  parseResult,
  StudioError,
  type CommandName,
  type CommandParams,
  type CommandResult,
  type StudioEvent,
  type StudioTransport,
} from '../../protocol/index.ts';

export class StudioApi {
  constructor(readonly transport: StudioTransport) {}

  get kind(): StudioTransport['kind'] {
    return this.transport.kind;
  }

  async call<K extends CommandName>(type: K, params: CommandParams<K>): Promise<CommandResult<K>> {
    const outcome = await this.transport.request(type, params);
    if (!outcome.ok) throw new StudioError(outcome.error);
    const checked = parseResult(type, outcome.result);
    if (!checked.ok) throw new StudioError(checked.error);
    return checked.result;
  }

  on(listener: (event: StudioEvent) => void): () => void {
    return this.transport.onEvent(listener);
  }
}
