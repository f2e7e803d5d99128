// The engine host as the UI sees it: lifecycle (from host.state events), the GPU adapter report,
// and the last time the host died (kept visible after it has been restarted).
import type { DriverChoice, GpuInfo, HostLog, HostState, StudioEvent } from '../../protocol/index.ts';
import type { StudioApi } from '../api/index.ts';

export interface HostExitNotice {
  reason: string;
  at: number;
}

export class EngineState {
  host = $state<HostState | null>(null);
  gpu = $state.raw<GpuInfo | null>(null);
  gpuError = $state<string | null>(null);
  lastExit = $state<HostExitNotice | null>(null);
  logs = $state.raw<HostLog[]>([]);
  restarting = $state(false);

  readonly ready = $derived(this.host?.state === 'ready');

  constructor(private readonly api: StudioApi) {
    api.on((event) => this.receive(event));
  }

  async init(): Promise<void> {
    try {
      this.setHost(await this.api.call('host.status', {}));
    } catch (error) {
      this.gpuError = error instanceof Error ? error.message : String(error);
    }
  }

  async refreshGpu(): Promise<void> {
    try {
      this.gpu = await this.api.call('gpu.info', {});
      this.gpuError = null;
    } catch (error) {
      this.gpu = null;
      this.gpuError = error instanceof Error ? error.message : String(error);
    }
  }

  async restart(driver?: DriverChoice): Promise<void> {
    this.restarting = true;
    try {
      this.setHost(await this.api.call('host.restart', driver ? { driver } : {}));
    } catch (error) {
      this.gpuError = error instanceof Error ? error.message : String(error);
    } finally {
      this.restarting = false;
    }
  }

  dismissExit(): void {
    this.lastExit = null;
  }

  private receive(event: StudioEvent): void {
    if (event.type === 'host.state') this.setHost(event);
    else if (event.type === 'host.log') this.logs = [...this.logs.slice(-199), event];
  }

  private setHost(state: HostState): void {
    const previous = this.host;
    this.host = state;
    if (state.state === 'exited' || state.state === 'disconnected') {
      this.lastExit = { reason: state.reason ?? 'The engine host stopped.', at: state.at };
    }
    if (state.state === 'ready' && (previous?.state !== 'ready' || previous.generation !== state.generation || !this.gpu)) {
      void this.refreshGpu();
    }
    if (state.state === 'failed') {
      this.gpu = null;
      this.gpuError = state.reason ?? 'The engine host could not start.';
    }
  }
}
