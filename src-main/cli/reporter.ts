import type { BackendInfo } from '../contract/index.js';
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
      this.out.write(JSON.stringify({ event: event.name, ...jsonPayload(event) }) + '\n');
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

/**
 * An event's payload as a `--json` line carries it: as the job sent it, except that an epoch's preview images
 * (data URLs, hundreds of kB) are left out; `training.checkpoint` names their files.
 */
function jsonPayload(event: JobEvent): object {
  if (event.name === 'training.epoch') return { metrics: event.payload.metrics };
  return event.payload;
}

function describeEvent(event: JobEvent): { text: string; transient: boolean } | null {
  switch (event.name) {
    case 'job.log':
      return { text: event.payload.message, transient: false };
    case 'dataset.importProgress': {
      const p = event.payload;
      if (p.phase === 'scanning') return { text: `scanning… ${p.scanned} files found`, transient: true };
      if (p.phase === 'writing')
        return { text: `writing the dataset cache (${p.imported} images)…`, transient: true };
      const f = p.total > 0 ? p.processed / p.total : 0;
      return {
        text: `import ${bar(f)} ${p.processed}/${p.total} files  ${p.imported} imported  ${p.skipped} skipped  ${fixed(p.imagesPerSec, 0)} img/s`,
        transient: true,
      };
    }
    case 'training.progress': {
      const p = event.payload;
      const f = p.step / p.stepsPerEpoch;
      return {
        text: `epoch ${p.epoch}/${p.epochs} ${bar(f, 20)} step ${p.step}/${p.stepsPerEpoch}  −ELBO ${fixed(p.loss.negElbo, 1)} (rec ${fixed(p.loss.reconstruction, 1)}, KL ${fixed(p.loss.kl, 1)})  ${fixed(p.imagesPerSec, 0)} img/s  ETA ${formatDuration(p.etaSeconds)}`,
        transient: true,
      };
    }
    case 'training.epoch': {
      const m = event.payload.metrics;
      const val = m.val ? `  val −ELBO ${fixed(m.val.negElbo)} (${fixed(m.val.bitsPerDim, 3)} bits/dim)` : '';
      // The σ-VAE's σ̂ after the epoch, which its validation figure used.
      const sigma = m.decoderSigma === undefined ? '' : `  σ ${fixed(m.decoderSigma, 4)}`;
      return {
        text: `epoch ${m.epoch}: train −ELBO ${fixed(m.train.negElbo)} nats (rec ${fixed(m.train.reconstruction)}, KL ${fixed(m.train.kl)})${val}${sigma}  β ${fixed(m.beta, 3)}  ${fixed(m.seconds, 1)}s  ${fixed(m.imagesPerSec, 0)} img/s`,
        transient: false,
      };
    }
    case 'generation.progress': {
      const p = event.payload;
      return {
        text: `generate ${bar(p.done / p.total)} ${p.done}/${p.total}  ${fixed(p.imagesPerSec, 0)} img/s  ETA ${formatDuration(p.etaSeconds)}`,
        transient: true,
      };
    }
    case 'interpolation.progress': {
      const p = event.payload;
      return { text: `interpolate ${bar(p.done / p.total)} ${p.done}/${p.total} frames`, transient: true };
    }
    case 'quality.progress': {
      const p = event.payload;
      const f = p.total > 0 ? p.done / p.total : 0;
      return { text: `${p.phase} ${bar(f)} ${p.done}/${p.total}`, transient: true };
    }
    case 'outliers.progress': {
      const p = event.payload;
      return {
        text: `scoring ${bar(p.total > 0 ? p.done / p.total : 0)} ${p.done}/${p.total} images`,
        transient: true,
      };
    }
    case 'map.progress': {
      const p = event.payload;
      const f = p.total > 0 ? p.done / p.total : 0;
      const unit = p.phase === 'layout' ? 'epochs' : 'images';
      return { text: `map: ${p.phase} ${bar(f)} ${p.done}/${p.total} ${unit}`, transient: true };
    }
    // The run's settings are the command line's; its backend is news.
    case 'training.run':
      return { text: `backend: ${describeBackend(event.payload.backend)}`, transient: false };
    // A checkpoint written behind its epoch line: nothing new for a person to read.
    case 'training.checkpoint':
      return null;
  }
}

/**
 * "wasm (cpu) — why" with the adapter and the training host when there are any, and what runs the steps when
 * it is not the backend.
 */
function describeBackend(info: BackendInfo): string {
  const where = info.adapter ? `${info.device}, ${info.adapter}` : info.device;
  const host =
    info.host === 'renderer'
      ? ' in the hidden renderer'
      : info.host === 'browser'
        ? ' in a browser page'
        : '';
  const steps = info.native ? `; training steps on ${info.native}` : '';
  return `${info.backend} (${where})${host} — ${info.reason}${steps}`;
}
