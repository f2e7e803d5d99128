// How the supervisor sees one engine host process, whoever started it (Electron's utilityProcess
// in the app, child_process.fork headless). No Electron imports: the bridge and CLI reuse this.
import { HOST_EXIT_CODES } from '../protocol/index.ts';

export interface HostExit {
  code: number | null;
  signal: string | null;
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

export function describeExit({ code, signal }: HostExit): string {
  if (signal) return `killed by ${signal}`;
  if (code === 0) return 'exited normally';
  if (code === HOST_EXIT_CODES.uncaught) return 'crashed on an unexpected error';
  if (code === HOST_EXIT_CODES.deviceLost) return 'lost its GPU device';
  return `exited with code ${code ?? 'unknown'}`;
}
