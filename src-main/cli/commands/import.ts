import { defaultsOf, IMPORT_SETTINGS } from '../../contract/index.js';
import { runImport } from '../../jobs/index.js';
import type { Command } from '../command.js';
import { fixed } from '../format.js';
import { readSettings, settingOptions } from '../settingOptions.js';

export const importCommand: Command = {
  name: 'import',
  summary: 'import a folder of images into a project (decoded and resized once, cached)',
  usage: '<folder> --project <dir>',
  options: {
    project: { type: 'string', value: 'dir', help: 'project folder (created if new)' },
    ...settingOptions(IMPORT_SETTINGS),
    background: {
      type: 'string',
      value: 'colour',
      help: 'colour behind transparent pixels and contain padding',
      default: '#ffffff',
    },
  },
  async run({ options, reporter, signal }) {
    const [folder] = options.positionals(1, ['folder']);
    const result = await runImport(
      {
        folder: folder!,
        project: options.required('project'),
        ...defaultsOf(IMPORT_SETTINGS),
        ...readSettings(options, IMPORT_SETTINGS),
        background: options.string('background', '#ffffff'),
      },
      { signal, emit: reporter.event },
    );
    const lines = [
      `imported ${result.imported} images into ${result.datasetDir} in ${fixed(result.seconds, 1)}s (${fixed(result.imagesPerSec, 0)} images/s)`,
    ];
    if (result.duplicates.length) lines.push(`${result.duplicates.length} duplicates kept once`);
    if (result.skipped.length) {
      lines.push(`${result.skipped.length} files skipped:`);
      for (const s of result.skipped.slice(0, 20)) lines.push(`  ${s.path}: ${s.reason}`);
      if (result.skipped.length > 20)
        lines.push(`  … and ${result.skipped.length - 20} more (see dataset/import-report.json)`);
    }
    reporter.result('import', result, lines);
  },
};
