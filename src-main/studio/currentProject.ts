import { resolve } from 'node:path';
import type { TrainProgress } from '../contract/index.js';
import { projectLayout, type ProjectLayout } from '../project/index.js';
import { UserError } from '../util/errors.js';

/** The project the UI works on: one at a time, plus what this session has seen of its training. */
export class CurrentProject {
  private open: { layout: ProjectLayout; trainProgress: TrainProgress | null } | null = null;

  get root(): string | null {
    return this.open?.layout.root ?? null;
  }

  /**
   * The current project's layout.
   *
   * @throws UserError NO_PROJECT when none is open.
   */
  require(): ProjectLayout {
    if (!this.open) throw new UserError('NO_PROJECT', 'open or create a project first');
    return this.open.layout;
  }

  /** Makes `root` current (its training progress starts empty). */
  set(root: string): void {
    if (this.open && this.open.layout.root === resolve(root)) return;
    this.open = { layout: projectLayout(resolve(root)), trainProgress: null };
  }

  isCurrent(root: string): boolean {
    return this.open !== null && this.open.layout.root === resolve(root);
  }

  /** The latest training progress seen for the current project in this session. */
  get trainProgress(): TrainProgress | null {
    return this.open?.trainProgress ?? null;
  }

  /** Records progress of a job on `root`, if that is still the current project. */
  recordTrainProgress(root: string, progress: TrainProgress): void {
    if (this.open && this.isCurrent(root)) this.open.trainProgress = progress;
  }
}
