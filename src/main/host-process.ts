// How the supervisor sees one engine host, whoever started it (the hidden engine window's worker
// in the app, child_process.fork headless). No Electron imports: the bridge and CLI reuse this.
import { HOST_EXIT_CODES } from '../protocol/index.ts';

export interface HostExit {
  code: number | null;
  signal: string | null;
  /** How it ended, in words, where a code says too little (the engine window's process crashed, …). */
  reason?: string;
}

export interface HostProcess {
  readonly pid: number | undefined;
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (exit: HostExit) => void): void;
  /** The host's stderr (Dawn and Vulkan loader warnings), in chunks. */
  onStderr(listener: (text: string) => void): void;
  kill(): void;
}

export type HostLauncher = (entry: string, env: Record<string, string>) => HostProcess;

export function describeExit({ code, signal, reason }: HostExit): string {
  if (reason) return reason;
  if (signal) return `killed by ${signal}`;
  if (code === 0) return 'exited normally';
  if (code === HOST_EXIT_CODES.uncaught) return 'crashed on an unexpected error';
  if (code === HOST_EXIT_CODES.deviceLost) return 'lost its GPU device';
  return `exited with code ${code ?? 'unknown'}`;
}
