import type { ExplorerQuestion } from '../jobs/index.js';
import { readLatestCheckpointMeta } from '../project/index.js';
import { UserError } from '../util/errors.js';
import { log } from '../util/log.js';
import type { RunningJob } from '../worker/runner.js';
import type { StudioContext } from './context.js';

/** A session unused this long gives its model back (its worker ends). */
export const EXPLORER_IDLE_MS = 5 * 60_000;

/**
 * The latent explorer's model, held in one long-lived worker job (jobs/explore/explorerJob.ts) so a slider move
 * costs one decode, not a model load: opened on the first question, kept while the project and its latest
 * checkpoint stay the same, replaced when either changes, and ended after {@link EXPLORER_IDLE_MS} unused.
 */
export class ExplorerSession {
  private current: { key: string; job: RunningJob<{ answered: number }> } | null = null;
  private idle: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ctx: StudioContext) {}

  /**
   * Asks the current project's model.
   * @throws UserError NO_PROJECT, NO_MODEL, or the job's own failure.
   */
  async ask<T>(question: ExplorerQuestion): Promise<T> {
    const layout = this.ctx.project.require();
    const checkpoint = await readLatestCheckpointMeta(layout);
    if (!checkpoint)
      throw new UserError('NO_MODEL', `${layout.root} has no trained model yet; train one first`);
    const key = `${layout.root}\n${checkpoint.dir}\n${checkpoint.meta.weightsSha256}`;
    if (this.current?.key !== key) {
      this.close();
      const job = this.ctx.runner.start(
        'explorer',
        { project: layout.root, backend: this.ctx.backend },
        () => undefined,
      );
      if (!job.ask) {
        job.cancel();
        throw new UserError('UNSUPPORTED', 'the latent explorer cannot run here');
      }
      job.result.catch((err: unknown) => log.info('studio', 'the latent explorer ended', err));
      const started = { key, job };
      this.current = started;
      void job.result.finally(() => {
        if (this.current === started) this.current = null;
      });
    }
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.close(), EXPLORER_IDLE_MS);
    this.idle.unref?.();
    return (await this.current.job.ask!(question)) as T;
  }

  /** Ends the session's worker, if any. */
  close(): void {
    clearTimeout(this.idle);
    this.current?.job.cancel();
    this.current = null;
  }
}
