import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectSummary } from '../contract/index.js';
import { readDatasetManifest, REPORT_FILE, type ImportReport } from '../dataset/index.js';
import {
  excludedIndices,
  openProject,
  projectInfo,
  readExclusions,
  type ModelSummary,
} from '../project/index.js';

/**
 * What the UI shows of a project, read from disk: `projectInfo` plus the import report's skipped files and
 * duplicates, and the model without its history (`training.status` has that).
 *
 * @throws UserError NO_PROJECT when `root` is not a project folder.
 */
export async function readProjectSummary(root: string): Promise<ProjectSummary> {
  const project = await openProject(root);
  const info = await projectInfo(project);
  const report = info.dataset ? await readImportReport(project.layout.datasetDir) : null;
  const manifest = info.dataset ? await readDatasetManifest(project.layout.datasetDir) : null;
  const excluded = manifest ? excludedIndices(manifest, await readExclusions(project.layout)).length : 0;
  return {
    root: info.root,
    name: info.name,
    createdAt: info.createdAt,
    dataset: info.dataset && {
      count: info.dataset.count,
      size: info.dataset.size,
      channels: info.dataset.channels,
      fit: info.dataset.fit,
      labels: info.dataset.labels,
      perLabel: info.dataset.perLabel,
      sourceRoot: info.dataset.sourceRoot,
      skipped: report?.skipped ?? [],
      duplicates: report?.duplicates ?? [],
      ...(excluded > 0 ? { excluded } : {}),
    },
    model: info.model && withoutHistory(info.model),
    modelArchive: project.layout.archiveDir,
  };
}

/** The dataset's import report, or null when it is missing or unreadable (it only adds detail). */
async function readImportReport(datasetDir: string): Promise<ImportReport | null> {
  try {
    const report = JSON.parse(await readFile(join(datasetDir, REPORT_FILE), 'utf8')) as Partial<ImportReport>;
    return Array.isArray(report.skipped) && Array.isArray(report.duplicates)
      ? (report as ImportReport)
      : null;
  } catch {
    return null;
  }
}

/** The contract's model summary: the project's, without the history. */
function withoutHistory(model: ModelSummary & { history: unknown }): ModelSummary {
  const { history: _history, ...summary } = model;
  return summary;
}
