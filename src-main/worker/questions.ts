import { UserError } from '../util/errors.js';

/**
 * The questions a long-lived job answers while it runs (the latent explorer's "decode this z"), on the job's side
 * of the worker: asked before the job has said how it answers, a question waits; once the job has ended, it is
 * refused. One per job.
 */
export class Questions {
  private answer: ((question: unknown) => Promise<unknown>) | null = null;
  private waiting: { question: unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  private ended: Error | null = null;

  /** What the job calls once it can answer (JobContext.onQuestion). */
  readonly register = (answer: (question: unknown) => Promise<unknown>): void => {
    this.answer = answer;
    for (const w of this.waiting.splice(0)) answer(w.question).then(w.resolve, w.reject);
  };

  ask(question: unknown): Promise<unknown> {
    if (this.ended) return Promise.reject(this.ended);
    if (this.answer) return this.answer(question);
    return new Promise((resolve, reject) => this.waiting.push({ question, resolve, reject }));
  }

  /** The job has ended: questions still waiting, and any asked later, are refused. */
  close(): void {
    this.ended = new UserError('HOST_CLOSED', 'the model this asked was closed; try again');
    this.answer = null;
    for (const w of this.waiting.splice(0)) w.reject(this.ended);
  }
}
