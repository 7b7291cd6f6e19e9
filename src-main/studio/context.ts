import type { EmitEvent } from '../contract/index.js';
import type { BackendPreference } from '../engine/node/index.js';
import type { JobRunner } from '../worker/runner.js';
import type { CurrentProject } from './currentProject.js';
import type { DatasetCache } from './datasetCache.js';
import type { JobRegistry } from './jobRegistry.js';
import type { RecentProjects } from './recentProjects.js';
import type { StudioOptions } from './types.js';

/** What every group of handlers shares: the open project, the jobs, the event stream. */
export interface StudioContext {
  readonly options: StudioOptions;
  readonly runner: JobRunner;
  readonly emit: EmitEvent;
  readonly jobs: JobRegistry;
  readonly project: CurrentProject;
  readonly recent: RecentProjects;
  readonly datasets: DatasetCache;
  /** The backend of jobs whose request names none, and what 'auto' in `training.start` means. */
  readonly backend: BackendPreference;
  /** Sends `project.changed` with `root`'s summary, if `root` is still the current project. */
  projectChanged(root: string): Promise<void>;
  /** A desktop notification, when the host offers them; never throws. */
  notify(title: string, body: string): void;
}
