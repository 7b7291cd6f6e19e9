import { runInterpolation } from '../../jobs/index.js';
import { BACKEND_OPTION, BACKENDS, type Command } from '../command.js';

export const interpolateCommand: Command = {
  name: 'interpolate',
  summary: 'walk the latent space between two images: frames, contact sheet, animation',
  usage: '--project <dir> <imageA> <imageB> --out <dir>',
  options: {
    project: { type: 'string', value: 'dir', help: 'project with a trained model' },
    out: { type: 'string', value: 'dir', help: 'output folder (must not already hold frames)' },
    steps: { type: 'string', value: 'n', help: 'frames including both ends', default: '8' },
    mode: {
      type: 'string',
      value: 'slerp|lerp',
      help: 'spherical or linear interpolation',
      default: 'slerp',
    },
    animation: { type: 'string', value: 'webp|gif|none', help: 'animation format', default: 'webp' },
    ...BACKEND_OPTION,
  },
  async run({ options, reporter, signal }) {
    const [imageA, imageB] = options.positionals(2, ['imageA', 'imageB']);
    const result = await runInterpolation(
      {
        project: options.required('project'),
        imageA: imageA!,
        imageB: imageB!,
        out: options.required('out'),
        steps: options.number('steps', { integer: true, min: 2, max: 1000 }) ?? 8,
        mode: options.choice('mode', ['slerp', 'lerp'] as const) ?? 'slerp',
        animation: options.choice('animation', ['webp', 'gif', 'none'] as const) ?? 'webp',
        backend: options.choice('backend', BACKENDS) ?? 'auto',
      },
      { signal, emit: reporter.event },
    );
    reporter.result('interpolate', result, [
      `wrote ${result.steps} frames (${result.mode}) to ${result.out}`,
      `contact sheet: ${result.contactSheet}`,
      ...(result.animation ? [`animation: ${result.animation}`] : []),
    ]);
  },
};
