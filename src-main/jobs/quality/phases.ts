import { jobEvent, logEvent, type EmitJobEvent } from '../events.js';

/** The report's phases one after another: each is said as it starts, and timed for the report's `timings`. */
export class Phases {
  private readonly done: { phase: string; seconds: number }[] = [];
  private current: { phase: string; message: string; started: number } | null = null;

  constructor(private readonly emit: EmitJobEvent) {}

  /**
   * Ends the running phase and starts `phase`, saying `message` (what it does, in words for a person); `total`
   * is how many units of work it has when it counts them (images, decodes), else 0.
   */
  start(phase: string, message: string, total = 0): void {
    this.end();
    this.current = { phase, message, started: performance.now() };
    this.emit(logEvent(message));
    this.emit(jobEvent('quality.progress', { phase: message, done: 0, total }));
  }

  /** How far into the running phase: `done` of `total` units. */
  advance(done: number, total: number): void {
    if (this.current) this.emit(jobEvent('quality.progress', { phase: this.current.message, done, total }));
  }

  /** Every phase so far with its seconds (the running one ends here). */
  timings(): { phase: string; seconds: number }[] {
    this.end();
    return [...this.done];
  }

  private end(): void {
    if (!this.current) return;
    this.done.push({ phase: this.current.phase, seconds: (performance.now() - this.current.started) / 1000 });
    this.current = null;
  }
}
