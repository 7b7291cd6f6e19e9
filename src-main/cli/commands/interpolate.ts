import { defaultsOf, INTERPOLATE_SETTINGS } from '../../contract/index.js';
import { runInterpolation } from '../../jobs/index.js';
import { BACKEND_OPTION, readBackend, type Command } from '../command.js';
import { makeFolder } from '../../studio/paths.js';
import { readSettings, settingOptions } from '../settingOptions.js';

export const interpolateCommand: Command = {
  name: 'interpolate',
  summary: 'walk the latent space between two images: frames, contact sheet, animation',
  usage: '--project <dir> <imageA> <imageB> --out <dir>',
  options: {
    project: { type: 'string', value: 'dir', help: 'project with a trained model' },
    out: { type: 'string', value: 'dir', help: 'output folder (must not already hold frames)' },
    'class-a': {
      type: 'string',
      value: 'class',
      help: "a conditional model: imageA's class, when it is not in a class folder of the imported dataset",
    },
    'class-b': {
      type: 'string',
      value: 'class',
      help: "the same for imageB (the label walks from A's class to B's)",
    },
    ...settingOptions(INTERPOLATE_SETTINGS),
    ...BACKEND_OPTION,
  },
  async run({ options, reporter, signal }) {
    const [imageA, imageB] = options.positionals(2, ['imageA', 'imageB']);
    // Made first: a folder that cannot exist (/proc/…) fails at once instead of hanging the job.
    await makeFolder(options.required('out'), '--out');
    const result = await runInterpolation(
      {
        project: options.required('project'),
        imageA: withClass(imageA!, options.string('class-a')),
        imageB: withClass(imageB!, options.string('class-b')),
        out: options.required('out'),
        ...defaultsOf(INTERPOLATE_SETTINGS),
        ...readSettings(options, INTERPOLATE_SETTINGS),
        backend: readBackend(options),
      },
      { signal, emit: reporter.event },
    );
    reporter.result('interpolate', result, [
      `wrote ${result.steps} frames (${result.mode}) to ${result.out}` +
        (result.classA !== undefined ? `, from class ${result.classA} to class ${result.classB}` : ''),
      `contact sheet: ${result.contactSheet}`,
      ...(result.animation ? [`animation: ${result.animation}`] : []),
    ]);
  },
};

/** An end as the job takes it: the file, with its class when one was given. */
function withClass(file: string, className: string | undefined): string | { file: string; class: string } {
  return className === undefined ? file : { file, class: className };
}
