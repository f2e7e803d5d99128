// One command = one schema file (src/protocol/commands/*.ts) + one handler. A command says who
// answers it: the engine host process ('engine') or the process that owns the host ('app': the
// Electron main process or the loopback bridge, e.g. restarting the host).
import { literal, object, string } from 'valibot';
import type * as v from 'valibot';

// Schemas are stored with their types erased to "some valibot schema"; callers get precise types
// back through the registry's inferred literal type (see CommandParams / CommandResult).
export type AnySchema = v.GenericSchema<unknown, unknown>;

export type CommandTarget = 'engine' | 'app';

export interface CommandDefinition<
  P extends AnySchema = AnySchema,
  R extends AnySchema = AnySchema,
  T extends CommandTarget = CommandTarget,
> {
  /** Who answers: the engine host, or the app process that supervises it. */
  target: T;
  params: P;
  result: R;
  /** How long the caller waits for the reply before failing with a Timeout error. */
  timeoutMs: number;
  /** One line for people reading logs and errors. */
  summary: string;
}

export function defineCommand<P extends AnySchema, R extends AnySchema, T extends CommandTarget>(
  definition: CommandDefinition<P, R, T>,
): CommandDefinition<P, R, T> {
  return definition;
}

/** An event schema: an object with a literal dotted `type`. Add it to events/index.ts. */
export function defineEvent<T extends string, E extends v.ObjectEntries>(type: T, entries: E) {
  return object({ type: literal(type), ...entries });
}

/** An event about one training run: carries the `runId` it belongs to. */
export function defineRunEvent<T extends string, E extends v.ObjectEntries>(type: T, entries: E) {
  return object({ type: literal(type), runId: string(), ...entries });
}
