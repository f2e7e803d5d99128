// Training progress for a terminal: one redrawn bar on a TTY, plain lines otherwise (logs, pipes).
import type { RunProgress, TrainerEvent } from '../engine/train/index.ts';
import type { MetricRecord } from '../engine/runstore/metrics-log.ts';
import { formatIssue } from '../engine/data/index.ts';
import { phaseEtaMs } from '../protocol/progress-eta.ts';

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '--';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

function num(v: number | string | undefined, digits = 4): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '--';
}

export function bar(p: RunProgress, width = 24): string {
  const filled = Math.round((width * p.step) / Math.max(1, p.totalSteps));
  const tps = p.tokensPerSecond > 0 ? `${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tok/s` : '-- tok/s';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] step ${p.step}/${p.totalSteps}  loss ${num(p.loss)}  ${tps}  ETA ${formatDuration(p.etaMs)}`;
}

export function trainLine(r: MetricRecord, total: number): string {
  const tps = typeof r.tokensPerSecond === 'number' ? `${Math.round(r.tokensPerSecond)} tok/s` : '-- tok/s';
  return `step ${r.step}/${total}  loss ${num(r.loss)}  lr ${typeof r.lr === 'number' ? r.lr.toExponential(2) : '--'}  grad norm ${num(r.gradNorm, 3)}  ${tps}`;
}

/**
 * A preparation phase's line with its fraction and ETA: the remaining fraction at the phase's
 * rate so far (elapsed / fraction), "--" until there is a rate.
 */
export function prepareLine(phase: string, message: string, fraction: number, elapsedMs: number): string {
  const eta = phaseEtaMs(fraction, elapsedMs);
  return `[${phase}] ${message}  ${(100 * fraction).toFixed(1)}%  ETA ${formatDuration(eta)}`;
}

/** Prints trainer events; the bar is redrawn in place on a TTY and cleared before other lines. */
export class ProgressPrinter {
  private barShown = false;
  private total = 0;
  private lastPrepare = '';
  private phase = { name: '', startedAt: 0, printedTenth: -1 };
  constructor(
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly tty = Boolean(process.stdout.isTTY),
    /** The import summary was printed before the run started (see import-summary.ts). */
    private readonly importShown = false,
  ) {}

  private line(text: string): void {
    if (this.barShown) { this.out.write('\r\x1b[2K'); this.barShown = false; }
    this.out.write(text + '\n');
  }

  handle(e: TrainerEvent): void {
    switch (e.type) {
      case 'run.prepare': {
        if (e.phase === 'import' && this.importShown) break; // the run found the import just printed
        // Import progress arrives per chunk: print a phase's message once, not every update.
        const text = `[${e.phase}] ${e.message}`;
        if (e.phase !== this.phase.name) this.phase = { name: e.phase, startedAt: performance.now(), printedTenth: -1 };
        if (e.phase !== 'import' && e.fraction !== undefined && e.fraction > 0 && e.fraction < 1) {
          // Long phases (tokenizing a big corpus): a redrawn line on a TTY, else one line per tenth.
          const line = prepareLine(e.phase, e.message, e.fraction, performance.now() - this.phase.startedAt);
          const tenth = Math.floor(e.fraction * 10);
          if (this.tty) { this.out.write(`\r\x1b[2K${line}`); this.barShown = true; } else if (tenth > this.phase.printedTenth) this.line(line);
          this.phase.printedTenth = tenth;
          this.lastPrepare = text;
          break;
        }
        if (text !== this.lastPrepare && (e.phase !== 'import' || e.fraction === undefined || e.fraction === 0 || e.fraction === 1)) this.line(text);
        this.lastPrepare = text;
        break;
      }
      case 'run.issues':
        if (this.importShown) break;
        for (const l of e.summary ?? e.issues.map((i) => formatIssue(i))) this.line(`[import] ${l}`);
        break;
      case 'run.started':
        this.total = e.totalSteps;
        this.line(`${e.resumed ? 'resuming' : 'training'} ${e.runDir} from step ${e.startStep} to ${e.totalSteps}: ` +
          `${e.parameters.toLocaleString('en-US')} parameters, ${e.tokensPerStep} tokens per step`);
        break;
      case 'run.metrics':
        if (this.tty) {
          this.out.write(`\r\x1b[2K${bar(e.progress)}`);
          this.barShown = true;
        } else {
          for (const r of e.records) this.line(`${trainLine(r, this.total)}  ETA ${formatDuration(e.progress.etaMs)}`);
        }
        break;
      case 'run.eval': this.line(`step ${e.record.step}: val loss ${num(e.record.valLoss)}  perplexity ${num(e.record.valPerplexity, 2)}`); break;
      case 'run.sample': this.line(`--- sample at step ${e.step} ---\n${e.prompt}${e.text}\n---`); break;
      case 'run.checkpoint': this.line(`checkpoint ${e.path}`); break;
      case 'run.attention': this.line(`attention snapshot ${e.path}`); break;
      case 'run.warning': this.line(`warning: ${e.message}`); break;
      case 'run.state': if (e.state !== 'running' && e.state !== 'preparing') this.line(`${e.state} at step ${e.step}${e.message ? `: ${e.message}` : ''}`); break;
    }
  }
}
