// The objective registry: a map from id to entry, filled by one line per objective in index.ts
// (or by a test that brings its own). Everything that depends on the objective resolves it here,
// so a name the registry does not know, or a slot that cannot train yet, is refused in one place
// with the same words for the CLI, run.start and the UI.
import type { ObjectiveEntry, TrainableObjective } from './types.ts';

const entries = new Map<string, ObjectiveEntry>();

/** Adds an objective. Ids are unique: registering one twice is a mistake, not an override. */
export function registerObjective(entry: ObjectiveEntry): ObjectiveEntry {
  if (!/^[a-z0-9][a-z0-9+-]*$/.test(entry.id)) throw new Error(`registerObjective: id '${entry.id}' must be lowercase letters, digits, '+' or '-'`);
  if (entries.has(entry.id)) throw new Error(`registerObjective: an objective '${entry.id}' is already registered`);
  if (entry.status === 'available' && entry.lossTerms.length !== entry.heads.length) {
    throw new Error(`registerObjective: '${entry.id}' names ${entry.lossTerms.length} loss terms for ${entry.heads.length} heads`);
  }
  entries.set(entry.id, entry);
  return entry;
}

/** Removes an objective (for tests that register their own). */
export function unregisterObjective(id: string): void {
  entries.delete(id);
}

/** Every registered objective, in registration order. */
export function listObjectives(): ObjectiveEntry[] {
  return [...entries.values()];
}

/** The entry for an id; throws naming the option and the registered ids when there is none. */
export function findObjective(id: string): ObjectiveEntry {
  const entry = entries.get(id);
  if (!entry) throw new Error(`objective '${id}' is not a registered objective (objectives: ${[...entries.keys()].join(', ')})`);
  return entry;
}

/** The entry of an objective that trains; a planned slot is refused with its reason. */
export function trainableObjective(id: string): TrainableObjective {
  const entry = findObjective(id);
  if (entry.status !== 'available') throw new Error(`objective '${id}' is not available yet: ${entry.reason}`);
  return entry;
}

/** The heads of an entry by name, for cards and --help (a trainable entry's are HeadSpecs). */
export function headNames(entry: ObjectiveEntry): string[] {
  return entry.status === 'available' ? entry.heads.map((h) => h.kind) : [...entry.heads];
}

/** The names a train record of this objective carries, besides lr, gradNorm, tokensPerSecond, elapsedMs. */
export function metricNames(entry: TrainableObjective): string[] {
  const perTerm = entry.lossTerms.length > 1 ? entry.lossTerms.flatMap((t) => [`${t}Loss`, `${t}Accuracy`]) : [];
  return ['loss', 'accuracy', ...perTerm];
}

/** A train record's objective-specific numbers from the step's loss terms (see metricNames). */
export function termMetrics(entry: TrainableObjective, terms: readonly number[], accuracy: readonly number[]): Record<string, number> {
  const out: Record<string, number> = { loss: terms.reduce((a, b) => a + b, 0), accuracy: accuracy[0] ?? 0 };
  if (entry.lossTerms.length > 1) entry.lossTerms.forEach((t, i) => { out[`${t}Loss`] = terms[i]; out[`${t}Accuracy`] = accuracy[i]; });
  return out;
}
