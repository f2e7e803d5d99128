// The engine's log file (userData/logs/engine.log; the Engine menu opens it): host state changes,
// host.log events and the host's stderr (Dawn and Vulkan loader output), one timestamped line
// each. Capped: past maxBytes the file becomes engine.1.log (replacing the previous one) and a new
// one starts, so a long session keeps at most about twice the cap. Written synchronously: a few
// lines a second at most, and a line written just before a crash is the one worth having.
// No Electron imports: the bridge and tests use it as is.
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

export class EngineLog {
  readonly path: string;
  readonly previousPath: string;
  private size: number;

  constructor(
    readonly dir: string,
    private readonly maxBytes = 1 << 20,
  ) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'engine.log');
    this.previousPath = join(dir, 'engine.1.log');
    try {
      this.size = statSync(this.path).size;
    } catch {
      this.size = 0;
    }
  }

  write(level: 'info' | 'warn' | 'error' | 'output', message: string, at = new Date()): void {
    const line = `${at.toISOString()} ${level.padEnd(6)} ${message.replace(/\s+$/, '')}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.size > 0 && this.size + bytes > this.maxBytes) {
      renameSync(this.path, this.previousPath);
      this.size = 0;
    }
    try {
      appendFileSync(this.path, line);
      this.size += bytes;
    } catch {
      // A full or read-only disk must not take the engine down with it; the UI still gets the events.
    }
  }
}

/**
 * Dawn notices that say the same thing every time an engine host finds its adapter (Dawn caps two
 * limits it does not use and says so on stderr): kept the first time in a session, dropped after,
 * so restarts do not fill the log and a crash report's "last output" shows what matters.
 */
const ONCE_PER_SESSION = [/max\w+PerPipelineLayout artificially reduced from \d+ to \d+/];

export class OncePerSession {
  private readonly seen = new Set<string>();

  /** Whether to keep this line: anything else always, a known notice only the first time. */
  keep(line: string): boolean {
    const notice = ONCE_PER_SESSION.find((pattern) => pattern.test(line));
    if (!notice) return true;
    const key = line.match(notice)![0].replace(/\d+/g, '#');
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}
