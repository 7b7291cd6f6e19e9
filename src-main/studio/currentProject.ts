import { resolve } from 'node:path';
import type { EpochMetrics, EventPayload, TrainProgress, TrainRun } from '../contract/index.js';
import type { JobEvent } from '../jobs/index.js';
import { projectLayout, type ProjectLayout } from '../project/index.js';
import { UserError } from '../util/errors.js';

/** Preview images of one finished epoch, as the UI shows them. */
export interface LivePreviews {
  epoch: number;
  samples: string;
  reconstructions: string;
}

/**
 * What this session has seen of the current project's latest training run, ahead of its files: the epoch's
 * numbers and previews arrive before its checkpoint is written.
 */
export interface LiveTraining {
  /** The latest run's settings, from its `training.run` (null until it has said them). */
  run: TrainRun | null;
  progress: TrainProgress | null;
  /** Finished epochs of the run, in order (from its first epoch in this session; a resumed run adds on). */
  epochs: EpochMetrics[];
  previews: LivePreviews | null;
}

/** The project the UI works on: one at a time, plus what this session has seen of its training. */
export class CurrentProject {
  private open: { layout: ProjectLayout; training: LiveTraining } | null = null;

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

  /** Makes `root` current (what was seen of its training starts empty). */
  set(root: string): void {
    if (this.open && this.open.layout.root === resolve(root)) return;
    this.open = { layout: projectLayout(resolve(root)), training: emptyTraining() };
  }

  isCurrent(root: string): boolean {
    return this.open !== null && this.open.layout.root === resolve(root);
  }

  /** The latest training progress seen for the current project in this session. */
  get trainProgress(): TrainProgress | null {
    return this.open?.training.progress ?? null;
  }

  /** What this session has seen of the current project's latest run. */
  get training(): LiveTraining {
    return this.open?.training ?? emptyTraining();
  }

  /** A new run on `root` begins: what was seen of the previous one no longer describes the model. */
  beginTraining(root: string, resumed: boolean): void {
    if (!this.open || !this.isCurrent(root)) return;
    this.open.training = resumed ? { ...this.open.training, run: null, progress: null } : emptyTraining();
  }

  /** Keeps a training event of a job on `root`, if that is still the current project. */
  recordTraining(root: string, event: JobEvent): void {
    if (!this.open || !this.isCurrent(root)) return;
    const training = this.open.training;
    if (event.name === 'training.run') training.run = event.payload;
    else if (event.name === 'training.progress') training.progress = event.payload;
    else if (event.name === 'training.epoch') keepEpoch(training, event.payload);
  }
}

function keepEpoch(training: LiveTraining, epoch: Omit<EventPayload<'training.epoch'>, 'jobId'>): void {
  const m = epoch.metrics;
  training.epochs = [...training.epochs.filter((e) => e.epoch < m.epoch), m];
  training.previews = { epoch: m.epoch, ...epoch.previews };
}

function emptyTraining(): LiveTraining {
  return { run: null, progress: null, epochs: [], previews: null };
}
