// Starts, watches and restarts the engine host process, and carries requests to it.
//   - start(): walks the Vulkan driver plan (real GPU, then lavapipe, then SwiftShader) until
//     Dawn gives the host an adapter; the host state says which driver won.
//   - request(): one command, one reply, with a timeout; never throws.
//   - a host that dies fails its pending requests with HostExited, is reported (host.state
//     'exited' with the reason) and restarted with the same driver, unless it keeps dying.
//   - stop(): ask the host to exit, wait, then kill.
// The main process never waits on engine work here: everything is message passing.
import {
  commands,
  isHostReady,
  parseIncoming,
  wireError,
  type CommandParams,
  type DriverChoice,
  type EngineCommandName,
  type HostState,
  type ReplyOutcome,
  type StudioEvent,
} from '../protocol/index.ts';
import { driverPlan, envForDriver, missingDriverAdvice, type DriverCandidate } from '../engine/gpu/drivers.ts';
import { OncePerSession } from './engine-log.ts';
import { describeExit, type HostExit, type HostLauncher, type HostProcess } from './host-process.ts';

export interface SupervisorOptions {
  /** Path of the built engine-host entry (out/main/engine-host.js) or its source under tsx. */
  entry: string;
  launcher: HostLauncher;
  /** Passed to the host as PRETRAIN_STUDIO_ASSETS. */
  assetsDir?: string;
  driver?: DriverChoice;
  /** Overrides the driver plan (tests; a person uses `driver` or PRETRAIN_STUDIO_VULKAN_ICD). */
  plan?: DriverCandidate[];
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
  /** Crashes tolerated within a minute before giving up (state 'failed'). */
  maxRestartsPerMinute?: number;
  restartDelayMs?: number;
  /** Each line the host writes to stderr (Dawn's notices once per supervisor), for the engine log. */
  onOutput?: (line: string) => void;
}

interface Pending {
  resolve: (outcome: ReplyOutcome) => void;
  timer: ReturnType<typeof setTimeout>;
  type: string;
}

interface Running {
  process: HostProcess;
  candidate: DriverCandidate;
  exited: Promise<HostExit>;
  stopping: boolean;
  /** Set once the host has answered gpu.info: only a host that was ready is restarted on a crash. */
  ready: boolean;
  stderrTail: string[];
}

export class EngineSupervisor {
  private running: Running | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(event: StudioEvent) => void>();
  private lifecycle: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private generation = 0;
  private crashTimes: number[] = [];
  private readonly notices = new OncePerSession();
  private choice: DriverChoice;
  private current: HostState = { type: 'host.state', state: 'stopped', generation: 0, at: Date.now() };

  constructor(private readonly options: SupervisorOptions) {
    this.choice = options.driver ?? 'auto';
  }

  get state(): HostState {
    return this.current;
  }

  onEvent(listener: (event: StudioEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts the host (no-op if one is running); resolves with the resulting state. */
  start(): Promise<HostState> {
    return this.serialize(async () => {
      if (!this.running) await this.startWithPlan(this.choice);
      return this.current;
    });
  }

  /** Stops the host and starts a new one, with another driver choice if given. */
  restart(driver?: DriverChoice): Promise<HostState> {
    return this.serialize(async () => {
      if (driver) this.choice = driver;
      await this.stopRunning(3_000);
      await this.startWithPlan(this.choice);
      return this.current;
    });
  }

  /** Asks the host to exit, waits up to graceMs, then kills it. */
  stop(graceMs = 3_000): Promise<void> {
    return this.serialize(async () => {
      await this.stopRunning(graceMs);
      this.setState({ state: 'stopped' });
    });
  }

  /** Sends one engine command; resolves with its outcome (errors included), never rejects. */
  async request<K extends EngineCommandName>(
    type: K,
    params: CommandParams<K>,
    timeoutMs: number = commands[type].timeoutMs,
  ): Promise<ReplyOutcome> {
    // Requests made while the host is (re)starting wait for it instead of failing at once.
    await this.lifecycle.catch(() => undefined);
    return this.send(type, params, timeoutMs);
  }

  /** Resolves true if the host exits within ms, false otherwise. */
  async waitForExit(ms: number): Promise<boolean> {
    const running = this.running;
    if (!running) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const exited = await Promise.race([running.exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return exited;
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const next = this.lifecycle.catch(() => undefined).then(task);
    this.lifecycle = next;
    return next;
  }

  private send(type: string, params: unknown, timeoutMs: number): Promise<ReplyOutcome> {
    const running = this.running;
    if (!running) {
      const why = this.current.reason ? ` (${this.current.reason})` : '';
      return Promise.resolve({ ok: false, error: wireError('HostUnavailable', `The engine host is not running${why}.`) });
    }
    const requestId = `s${this.nextId++}`;
    return new Promise<ReplyOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        const text = `${type} got no reply from the engine host within ${Math.round(timeoutMs / 1000)} s.`;
        resolve({ ok: false, error: wireError('Timeout', text) });
      }, timeoutMs);
      this.pending.set(requestId, { resolve, timer, type });
      running.process.post({ type, requestId, params });
    });
  }

  private emit(event: StudioEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.emit({ type: 'host.log', level, message });
  }

  private setState(change: Omit<HostState, 'type' | 'generation' | 'at'>): void {
    this.current = { type: 'host.state', ...change, generation: this.generation, at: Date.now() };
    this.emit(this.current);
  }

  /** Tries each driver of the plan until one gives the host a GPU adapter. */
  private async startWithPlan(choice: DriverChoice): Promise<void> {
    const plan = this.options.plan ?? driverPlan(choice, this.options.env ?? process.env);
    if (plan.length === 0) {
      this.setState({ state: 'failed', reason: `The ${choice} driver was not found. ${missingDriverAdvice()}` });
      return;
    }
    let lastReason = '';
    for (const [index, candidate] of plan.entries()) {
      const last = index === plan.length - 1;
      const outcome = await this.launchAndProbe(candidate);
      if (outcome.ok) return;
      lastReason = outcome.reason;
      if (!last) {
        this.log('warn', `No usable GPU with ${candidate.label} (${outcome.reason}); trying the next driver.`);
        await this.stopRunning(1_000);
      }
    }
    // Keep the last host running (it still answers host.ping, and gpu.info explains the failure).
    this.setState({ state: 'failed', reason: lastReason, driver: plan[plan.length - 1].label });
  }

  private async launchAndProbe(candidate: DriverCandidate): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      await this.launch(candidate);
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
    const probe = await this.send('gpu.info', {}, commands['gpu.info'].timeoutMs);
    if (!probe.ok) return { ok: false, reason: probe.error.message };
    if (this.running) this.running.ready = true;
    this.setState({ state: 'ready', pid: this.running?.process.pid, driver: candidate.label });
    return { ok: true };
  }

  private launch(candidate: DriverCandidate): Promise<void> {
    this.generation++;
    this.setState({ state: this.generation > 1 ? 'restarting' : 'starting', driver: candidate.label });
    const env = envForDriver(candidate, this.options.env ?? process.env);
    if (this.options.assetsDir) env.PRETRAIN_STUDIO_ASSETS = this.options.assetsDir;
    const child = this.options.launcher(this.options.entry, env);
    let onExit!: (exit: HostExit) => void;
    const exited = new Promise<HostExit>((resolve) => (onExit = resolve));
    const running: Running = { process: child, candidate, exited, stopping: false, ready: false, stderrTail: [] };
    this.running = running;

    return new Promise<void>((resolve, reject) => {
      const readyTimeout = this.options.readyTimeoutMs ?? 20_000;
      const timer = setTimeout(() => {
        reject(new Error(`the engine host did not start within ${readyTimeout / 1000} s`));
        child.kill();
      }, readyTimeout);
      child.onStderr((text) => {
        const lines = text.split('\n').filter((line) => line.trim() && this.notices.keep(line));
        for (const line of lines) this.options.onOutput?.(line);
        running.stderrTail.push(...lines);
        running.stderrTail.splice(0, Math.max(0, running.stderrTail.length - 20));
      });
      child.onMessage((raw) => {
        if (isHostReady(raw)) {
          clearTimeout(timer);
          resolve();
          return;
        }
        this.receive(raw);
      });
      child.onExit((exit) => {
        clearTimeout(timer);
        onExit(exit);
        reject(new Error(`the engine host ${describeExit(exit)} while starting`));
        this.handleExit(running, exit);
      });
    });
  }

  private receive(raw: unknown): void {
    const incoming = parseIncoming(raw);
    if (incoming.kind === 'reply') {
      const pending = this.pending.get(incoming.reply.requestId);
      if (!pending) return; // it timed out earlier
      this.pending.delete(incoming.reply.requestId);
      clearTimeout(pending.timer);
      const { reply } = incoming;
      pending.resolve(reply.ok ? { ok: true, result: reply.result } : { ok: false, error: reply.error });
    } else if (incoming.kind === 'event') {
      this.emit(incoming.event);
    } else {
      this.log('error', `The engine host sent an invalid message: ${incoming.error.message}`);
    }
  }

  private handleExit(running: Running, exit: HostExit): void {
    if (this.running !== running) return;
    this.running = undefined;
    const reason = describeExit(exit);
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      const text = `The engine host ${reason} while running ${pending.type}.`;
      pending.resolve({ ok: false, error: wireError('HostExited', text) });
      this.pending.delete(id);
    }
    if (running.stopping) return;
    const tail = running.stderrTail.slice(-3).join(' | ');
    this.setState({ state: 'exited', pid: running.process.pid, reason: `Engine host ${reason}`, driver: running.candidate.label });
    if (tail) this.log('error', `Last engine host output: ${tail}`);
    if (!running.ready) return; // it died while being probed: startWithPlan moves on to the next driver
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < 60_000), now];
    if (this.crashTimes.length > (this.options.maxRestartsPerMinute ?? 3)) {
      this.setState({ state: 'failed', reason: `Engine host ${reason} ${this.crashTimes.length} times in a minute; not restarting.` });
      return;
    }
    // Restart with the driver that worked (a full re-plan is what host.restart is for). Queued on
    // the lifecycle at once, so requests made during the delay wait for the new host.
    const candidate = running.candidate;
    const delayMs = this.options.restartDelayMs ?? 300;
    void this.serialize(async () => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (this.running) return;
      const outcome = await this.launchAndProbe(candidate);
      if (!outcome.ok) this.setState({ state: 'failed', reason: outcome.reason, driver: candidate.label });
    });
  }

  private async stopRunning(graceMs: number): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.stopping = true;
    running.process.post({ type: 'host.shutdown' });
    if (!(await this.waitForExit(graceMs))) {
      running.process.kill();
      await running.exited;
    }
  }
}
