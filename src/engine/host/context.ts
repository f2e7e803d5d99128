// What every command handler may use: the lazily opened GPU device, events to the UI, and the
// host's settings. One instance per host process.
import { HOST_EXIT_CODES, type StudioEvent } from '../../protocol/index.ts';
import { adapterChoiceFromEnv, adapterOptions } from '../gpu/adapters.ts';
import { GpuContext } from '../gpu/device.ts';
import { isCpuAdapter } from '../gpu/drivers.ts';
import { prepareMatmul } from '../ops/matmul-tune.ts';

export interface HostSettings {
  /** Folder holding the app's assets (sample corpus, icons); from PRETRAIN_STUDIO_ASSETS. */
  assetsDir: string | undefined;
}

export class HostContext {
  private gpuPromise: Promise<GpuContext> | undefined;
  readonly startedAt = Date.now();

  constructor(
    readonly settings: HostSettings,
    readonly emit: (event: StudioEvent) => void,
    /** Ends the host: process.exit in a process, a message to the launcher in the app's engine worker. */
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  /**
   * Opens the device on first use; a failed attempt is not cached, so it can be retried. A device
   * lost later cannot be recovered in this process: say why and exit, and the supervisor starts a
   * new host.
   */
  gpu(): Promise<GpuContext> {
    this.gpuPromise ??= GpuContext.open(adapterOptions(adapterChoiceFromEnv())).then(
      async (ctx) => {
        await prepareMatmul(ctx, isCpuAdapter(ctx.report), (message) => this.emit({ type: 'host.log', level: 'info', message }));
        void ctx.device.lost.then((info) => {
          if (info.reason === 'destroyed') return; // we closed it ourselves
          this.emit({ type: 'host.log', level: 'error', message: `GPU device lost (${info.reason}): ${info.message}` });
          setTimeout(() => this.exit(HOST_EXIT_CODES.deviceLost), 100);
        });
        return ctx;
      },
      (error: unknown) => {
        this.gpuPromise = undefined;
        throw error;
      },
    );
    return this.gpuPromise;
  }

  async close(): Promise<void> {
    const pending = this.gpuPromise;
    this.gpuPromise = undefined;
    if (pending) (await pending.catch(() => undefined))?.destroy();
  }
}
