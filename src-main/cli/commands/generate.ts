import { runGeneration } from '../../jobs/index.js';
import { BACKEND_OPTION, BACKENDS, type Command } from '../command.js';
import { fixed } from '../format.js';

export const generateCommand: Command = {
  name: 'generate',
  summary: 'decode new images into a folder, with a manifest that reproduces each one',
  usage: '--project <dir> --count <n> --out <dir>',
  options: {
    project: { type: 'string', value: 'dir', help: 'project with a trained model' },
    count: { type: 'string', value: 'n', help: 'number of images' },
    out: { type: 'string', value: 'dir', help: 'output folder (existing files are never overwritten)' },
    temperature: {
      type: 'string',
      value: 'x',
      help: 'scale of the latent samples (lower: safer, less varied)',
      default: '1',
    },
    seed: {
      type: 'string',
      value: 'n',
      help: 'seed; image i depends only on (seed, start + i, temperature)',
      default: '0',
    },
    start: {
      type: 'string',
      value: 'i',
      help: 'index of the first image (to regenerate one from the manifest)',
      default: '0',
    },
    format: { type: 'string', value: 'png|jpg|webp', help: 'image format', default: 'png' },
    batch: { type: 'string', value: 'n', help: 'images decoded per batch', default: '64' },
    ...BACKEND_OPTION,
  },
  async run({ options, reporter, signal }) {
    options.positionals(0, []);
    const count = options.number('count', { integer: true, min: 1, max: 10_000_000 });
    if (count === undefined) options.required('count');
    const result = await runGeneration(
      {
        project: options.required('project'),
        count: count!,
        out: options.required('out'),
        temperature: options.number('temperature', { min: 1e-6 }) ?? 1,
        seed: options.number('seed', { integer: true, min: 0 }) ?? 0,
        start: options.number('start', { integer: true, min: 0 }) ?? 0,
        format: options.choice('format', ['png', 'jpg', 'webp'] as const) ?? 'png',
        batchSize: options.number('batch', { integer: true, min: 1, max: 4096 }) ?? 64,
        backend: options.choice('backend', BACKENDS) ?? 'auto',
      },
      { signal, emit: reporter.event },
    );
    reporter.result('generate', { ...result, files: result.files.length > 100 ? undefined : result.files }, [
      `${result.cancelled ? 'cancelled after' : 'wrote'} ${result.count} images to ${result.out} in ${fixed(result.seconds, 1)}s (${fixed(result.imagesPerSec, 0)} images/s)`,
      `manifest: ${result.manifest.jsonl} and ${result.manifest.csv}`,
    ]);
  },
};
