import { readdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { qualityReportSchema, type QualityHistoryEntry } from '../../contract/index.js';
import { log } from '../../util/log.js';

/** `quality/` in a project: one folder per report, named by its time. */
export function qualityDir(projectRoot: string): string {
  return join(projectRoot, 'quality');
}

/**
 * Every report stored in the project (`quality/<time>/report.json`), oldest first, as the trend across its models
 * shows them. A report that cannot be read or is of an older shape is left out (and logged), never an error.
 */
export async function listQualityReports(projectRoot: string): Promise<QualityHistoryEntry[]> {
  let names: string[];
  try {
    names = (await readdir(qualityDir(projectRoot), { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
  const entries: QualityHistoryEntry[] = [];
  for (const name of names) {
    const file = join(qualityDir(projectRoot), name, 'report.json');
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      continue; // a report being written, or a folder of something else
    }
    const parsed = qualityReportSchema.safeParse(value);
    if (!parsed.success) {
      log.info('quality', `${file} is not a report of this version; left out of the trend`);
      continue;
    }
    const r = parsed.data;
    entries.push({
      report: file,
      createdAt: r.createdAt,
      model: r.model,
      scoredCount: r.scored.count,
      ...(r.scored.sampler === undefined ? {} : { sampler: r.scored.sampler }),
      fid: r.fid,
      kid: r.kid,
      kidStandardError: r.kidStandardError,
      precision: r.precision,
      recall: r.recall,
      density: r.density,
      coverage: r.coverage,
      copiesFraction: r.copies.fraction,
      negElbo: r.negElbo,
      iwNll: r.iwNll,
      activeUnits: r.activeUnits,
    });
  }
  return entries.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/**
 * One stored report, checked against the contract's shape. Its paths are written absolute; a project that has
 * moved since (copied, renamed, on another machine) gets them re-rooted at where the report now lies, so its
 * samples, copies and files are found.
 */
export async function readQualityReport(file: string) {
  const report = qualityReportSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  const wasFolder = dirname(report.report);
  const folder = dirname(file);
  if (wasFolder === folder) return report;
  const atFolder = rebase(wasFolder, folder);
  const atProject = rebase(dirname(dirname(wasFolder)), dirname(dirname(folder)));
  return {
    ...report,
    report: atFolder(report.report),
    markdown: atFolder(report.markdown),
    html: atFolder(report.html),
    samples: atFolder(report.samples),
    copies: {
      ...report.copies,
      files: report.copies.files.map((copy) => ({ ...copy, image: atFolder(copy.image) })),
    },
    model: { ...report.model, checkpoint: atProject(report.model.checkpoint) },
  };
}

/** A path under `from` moved to the same place under `to`; any other path as it is. */
function rebase(from: string, to: string): (path: string) => string {
  return (path) => {
    const rest = relative(from, path);
    return rest === '..' || rest.startsWith('..' + sep) || isAbsolute(rest) ? path : join(to, rest);
  };
}
