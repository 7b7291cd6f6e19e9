import { logEvent, type EmitJobEvent } from '../events.js';

/** The report's phases one after another: each is said as it starts, and timed for the report's `timings`. */
export class Phases {
  private readonly done: { phase: string; seconds: number }[] = [];
  private current: { phase: string; started: number } | null = null;

  constructor(private readonly emit: EmitJobEvent) {}

  /** Ends the running phase and starts `phase`, saying `message` (what it does, in words for a person). */
  start(phase: string, message: string): void {
    this.end();
    this.current = { phase, started: performance.now() };
    this.emit(logEvent(message));
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
