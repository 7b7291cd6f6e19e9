import { importFolder, type FitMode, type ImportReport } from '../dataset/index.js';
import { openOrCreateProject } from '../project/index.js';
import type { JobContext } from './events.js';
import { ignoreEvents, jobEvent } from './events.js';

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
}

/** Imports an image folder into a project's dataset cache (creating the project if needed). */
export async function runImport(input: ImportJobInput, ctx: JobContext = {}): Promise<ImportJobResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const project = await openOrCreateProject(input.project);
  const report = await importFolder(input.folder, project.layout.datasetDir, {
    size: input.size,
    channels: input.channels,
    fit: input.fit,
    ...(input.background ? { background: input.background } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (p) => emit(jobEvent('dataset.importProgress', p)),
  });
  return { ...report, project: project.layout.root, datasetDir: project.layout.datasetDir };
}
