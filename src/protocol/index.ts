// Pretrain Studio's message protocol: shared by renderer, preload, main, bridge, CLI and engine.
// This folder imports from no other folder of the project.
export * from './wire-error.ts';
export * from './define.ts';
export * from './messages.ts';
export * from './host-messages.ts';
export * from './api.ts';
export { commands } from './commands/index.ts';
export { EventSchema, type StudioEvent } from './events/index.ts';
export { HostStateSchema, type HostState } from './events/host-state.ts';
export { HostLogSchema, type HostLog } from './events/host-log.ts';
export { PageSchema, type Page } from './events/ui-navigate.ts';
export { GpuInfoSchema, type GpuInfo, type DriverKind } from './commands/gpu-info.ts';
export { SampleFileSchema, type SampleFile } from './commands/corpus-samples.ts';
export * from './commands/gpu-adapters.ts';
export { DriverChoiceSchema, type DriverChoice } from './commands/host-restart.ts';
export * from './json-codec.ts';
export { phaseEtaMs } from './progress-eta.ts';
