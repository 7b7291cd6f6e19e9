import { runImport } from '../../jobs/index.js';
import type { Command } from '../command.js';
import { fixed } from '../format.js';

export const importCommand: Command = {
  name: 'import',
  summary: 'import a folder of images into a project (decoded and resized once, cached)',
  usage: '<folder> --project <dir>',
  options: {
    project: { type: 'string', value: 'dir', help: 'project folder (created if new)' },
    size: {
      type: 'string',
      value: 'n',
      help: 'image side in pixels: 28 or a power of two 16–256',
      default: '64',
    },
    channels: { type: 'string', value: '1|3', help: '1 = grayscale, 3 = RGB', default: '3' },
    fit: {
      type: 'string',
      value: 'cover|contain|fill',
      help: 'cover crops the centre, contain pads, fill stretches',
      default: 'cover',
    },
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
        size: options.number('size', { integer: true, min: 16, max: 256 }) ?? 64,
        channels: (options.choice('channels', ['1', '3'] as const) ?? '3') === '1' ? 1 : 3,
        fit: options.choice('fit', ['cover', 'contain', 'fill'] as const) ?? 'cover',
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
