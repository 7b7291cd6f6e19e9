import { defaultsOf, GENERATE_SETTINGS } from '../../contract/index.js';
import { nearCopies, REJECTED_JSONL, runGeneration } from '../../jobs/index.js';
import { BACKEND_OPTION, readBackend, type Command } from '../command.js';
import { makeFolder } from '../../studio/paths.js';
import { fixed } from '../format.js';
import { readSettings, settingOptions } from '../settingOptions.js';

export const generateCommand: Command = {
  name: 'generate',
  summary: 'decode new images into a folder, with a manifest that reproduces each one',
  usage: '--project <dir> --count <n> --out <dir>',
  options: {
    project: { type: 'string', value: 'dir', help: 'project with a trained model' },
    out: {
      type: 'string',
      value: 'dir',
      help: 'output folder (the same command again continues a stopped run; existing files are never overwritten)',
    },
    ...settingOptions(GENERATE_SETTINGS, { required: ['count'] }),
    ...BACKEND_OPTION,
  },
  async run({ options, reporter, signal }) {
    options.positionals(0, []);
    // A batch from the CLI names its size: no silent 64 images into a folder.
    options.required(GENERATE_SETTINGS.count.flag);
    const settings = {
      ...defaultsOf(GENERATE_SETTINGS),
      ...readSettings(options, GENERATE_SETTINGS),
    };
    // Made first: a folder that cannot exist (/proc/…) fails at once instead of hanging the job.
    await makeFolder(options.required('out'), '--out');
    const result = await runGeneration(
      {
        project: options.required('project'),
        out: options.required('out'),
        ...settings,
        backend: readBackend(options),
      },
      { signal, emit: reporter.event },
    );
    reporter.result('generate', { ...result, files: result.files.length > 100 ? undefined : result.files }, [
      `${result.cancelled ? 'cancelled after' : 'wrote'} ${result.count} images to ${result.out} in ${fixed(result.seconds, 1)}s (${fixed(result.imagesPerSec, 0)} images/s)` +
        (result.alreadyThere ? `; ${result.alreadyThere} were already there` : '') +
        (settings.rejectCopies ? `; left out ${nearCopies(result.rejected)}` : '') +
        (result.rejected ? ` (listed in ${REJECTED_JSONL})` : ''),
      `manifest: ${result.manifest.jsonl} and ${result.manifest.csv}`,
    ]);
  },
};
