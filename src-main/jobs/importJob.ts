import { importFolder, type FitMode, type ImportReport } from '../dataset/index.js';
import {
  archiveDatasetAndModel,
  openOrCreateProject,
  removeTemporaryFiles,
  withProjectLock,
} from '../project/index.js';
import type { JobContext } from './events.js';
import { ignoreEvents, jobEvent, logEvent } from './events.js';

export interface ImportJobInput {
  folder: string;
  project: string;
  size: number;
  channels: 1 | 3;
  fit: FitMode;
  background?: string;
}

export interface ImportJobResult extends ImportReport {
  project: string;
  datasetDir: string;
  /** Folder the previous dataset and the model trained on it were moved to, when the project had a model. */
  archivedPrevious: string | null;
}

/**
 * Imports an image folder into a project's dataset cache (creating the project if needed), holding the project's
 * writer lock. Over a trained project, the old dataset and its model move together into `archive/<time>/` once
 * the new dataset is staged whole, so a failed or cancelled import changes nothing.
 *
 * @throws UserError PROJECT_BUSY when another process or job is writing the project.
 */
export async function runImport(input: ImportJobInput, ctx: JobContext = {}): Promise<ImportJobResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const project = await openOrCreateProject(input.project);
  const { layout } = project;
  return withProjectLock(layout, 'import', async () => {
    const leftovers = await removeTemporaryFiles(layout);
    if (leftovers > 0) emit(logEvent(`removed ${leftovers} temporary file(s) left by an interrupted run`));
    // Set inside the import's commit (a closure, so a holder rather than a `let` TypeScript would narrow to null).
    const archived: { dir: string | null } = { dir: null };
    const report = await importFolder(input.folder, layout.datasetDir, {
      size: input.size,
      channels: input.channels,
      fit: input.fit,
      ...(input.background ? { background: input.background } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (p) => emit(jobEvent('dataset.importProgress', p)),
      beforeCommit: async () => {
        archived.dir = await archiveDatasetAndModel(layout);
      },
    });
    if (archived.dir) {
      emit(logEvent(`the previous dataset and the model trained on it were moved to ${archived.dir}`));
    }
    return { ...report, project: layout.root, datasetDir: layout.datasetDir, archivedPrevious: archived.dir };
  });
}
