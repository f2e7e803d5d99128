// The event registry: every event is an object schema with a literal `type`. Events about a run
// carry `runId`. To add one: write its schema file and add it to this list.
import * as v from 'valibot';
import { HostLogSchema } from './host-log.ts';
import { CorpusChangedSchema } from './corpus-changed.ts';
import { HostStateSchema } from './host-state.ts';
import { ProtocolErrorSchema } from './protocol-error.ts';
import { UiNavigateSchema } from './ui-navigate.ts';
import { RunEventSchemas } from './run-events.ts';
import { PromptTokensSchema } from './prompt-tokens.ts';
import { PromptProgressSchema } from './prompt-progress.ts';
import { ImportProgressSchema } from './import-progress.ts';

export const EventSchema = v.variant('type', [HostStateSchema, HostLogSchema, ProtocolErrorSchema, UiNavigateSchema, CorpusChangedSchema, PromptTokensSchema, PromptProgressSchema, ImportProgressSchema, ...RunEventSchemas]);
export type StudioEvent = v.InferOutput<typeof EventSchema>;
