import type { JobEvent } from '../jobs/index.js';
import { bar, fixed, formatDuration } from './format.js';

/**
 * Where a command's events and result go: a redrawn progress line on a terminal (stderr), plain lines when
 * stderr is not a terminal, or one JSON object per line on stdout with `--json`.
 */
export class Reporter {
  private progressShown = false;
  private lastPlain = 0;

  constructor(
    readonly json: boolean,
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WriteStream | NodeJS.WritableStream = process.stderr,
  ) {}

  private get tty(): boolean {
    return 'isTTY' in this.err && this.err.isTTY === true;
  }

  /** Handles one job event. */
  event = (event: JobEvent): void => {
    if (this.json) {
      this.out.write(JSON.stringify({ event: event.type, ...withoutType(event) }) + '\n');
      return;
    }
    const line = describeEvent(event);
    if (!line) return;
    if (line.transient) this.progress(line.text);
    else this.line(line.text);
  };

  /** A line that stays (result summaries, epoch lines). */
  line(text: string): void {
    if (this.json) return;
    this.clearProgress();
    this.err.write(text + '\n');
  }

  /** The final result: JSON on stdout with --json, else the given human summary on stdout. */
  result(command: string, value: unknown, summary: string[]): void {
    this.clearProgress();
    if (this.json) this.out.write(JSON.stringify({ event: 'result', command, ...(value as object) }) + '\n');
    else this.out.write(summary.join('\n') + '\n');
  }

  /** A failure: one line on stderr (and a JSON error object with --json). */
  failure(code: string, message: string): void {
    this.clearProgress();
    if (this.json) this.out.write(JSON.stringify({ event: 'error', code, message }) + '\n');
    this.err.write(`vae-studio: ${message}\n`);
  }

  private progress(text: string): void {
    if (this.tty) {
      const width = ('columns' in this.err && this.err.columns) || 100;
      this.err.write('\r\x1b[2K' + text.slice(0, width - 1));
      this.progressShown = true;
    } else if (Date.now() - this.lastPlain > 5000) {
      // Logs and pipes get a progress line every few seconds, not a flood of carriage returns.
      this.lastPlain = Date.now();
      this.err.write(text + '\n');
    }
  }

  private clearProgress(): void {
    if (this.progressShown) {
      this.err.write('\r\x1b[2K');
      this.progressShown = false;
    }
  }
}

function withoutType(event: JobEvent): Record<string, unknown> {
  const { type: _type, ...rest } = event;
  return rest;
}

function describeEvent(event: JobEvent): { text: string; transient: boolean } | null {
  switch (event.type) {
    case 'log':
      return { text: event.message, transient: false };
    case 'import-progress': {
      if (event.phase === 'scanning')
        return { text: `scanning… ${event.scanned} files found`, transient: true };
      if (event.phase === 'writing')
        return { text: `writing the dataset cache (${event.imported} images)…`, transient: true };
      const f = event.total > 0 ? event.processed / event.total : 0;
      return {
        text: `import ${bar(f)} ${event.processed}/${event.total} files  ${event.imported} imported  ${event.skipped} skipped  ${fixed(event.imagesPerSec, 0)} img/s`,
        transient: true,
      };
    }
    case 'train-progress': {
      const f = event.step / event.stepsPerEpoch;
      return {
        text: `epoch ${event.epoch}/${event.epochs} ${bar(f, 20)} step ${event.step}/${event.stepsPerEpoch}  −ELBO ${fixed(event.loss.negElbo, 1)} (rec ${fixed(event.loss.reconstruction, 1)}, KL ${fixed(event.loss.kl, 1)})  ${fixed(event.imagesPerSec, 0)} img/s  ETA ${formatDuration(event.etaSeconds)}`,
        transient: true,
      };
    }
    case 'train-epoch': {
      const m = event.metrics;
      const val = m.val ? `  val −ELBO ${fixed(m.val.negElbo)} (${fixed(m.val.bitsPerDim, 3)} bits/dim)` : '';
      return {
        text: `epoch ${m.epoch}: train −ELBO ${fixed(m.train.negElbo)} nats (rec ${fixed(m.train.reconstruction)}, KL ${fixed(m.train.kl)})${val}  β ${fixed(m.beta, 3)}  ${fixed(m.seconds, 1)}s  ${fixed(m.imagesPerSec, 0)} img/s`,
        transient: false,
      };
    }
    case 'generate-progress':
      return {
        text: `generate ${bar(event.done / event.total)} ${event.done}/${event.total}  ${fixed(event.imagesPerSec, 0)} img/s  ETA ${formatDuration(event.etaSeconds)}`,
        transient: true,
      };
    case 'interpolate-progress':
      return {
        text: `interpolate ${bar(event.done / event.total)} ${event.done}/${event.total} frames`,
        transient: true,
      };
    default:
      return null;
  }
}
