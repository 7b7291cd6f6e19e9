import { CLASS_OPTIONS, defaultsOf, GENERATE_SETTINGS } from '../../contract/index.js';
import { UsageError, type OptionReader } from '../args.js';
import { nearCopies, REJECTED_JSONL, runGeneration } from '../../jobs/index.js';
import { BACKEND_OPTION, readBackend, type Command } from '../command.js';
import { makeFolder } from '../../studio/paths.js';
import { fixed } from '../format.js';
import { readSettings, settingOptions } from '../settingOptions.js';

export const generateCommand: Command = {
  name: 'generate',
  summary:
    'decode new images into a folder, with a manifest that reproduces each one (a conditional model: one folder per class)',
  usage: '--project <dir> (--count <n> | --per-class <n|class=n,…>) --out <dir>',
  options: {
    project: { type: 'string', value: 'dir', help: 'project with a trained model' },
    out: {
      type: 'string',
      value: 'dir',
      help: 'output folder (the same command again continues a stopped run; existing files are never overwritten)',
    },
    ...settingOptions(GENERATE_SETTINGS, { required: ['count'] }),
    [CLASS_OPTIONS.perClass.flag]: {
      type: 'string',
      value: 'n|class=n,…',
      help: CLASS_OPTIONS.perClass.help,
    },
    [CLASS_OPTIONS.classes.flag]: { type: 'string', value: 'a,b,…', help: CLASS_OPTIONS.classes.help },
    ...BACKEND_OPTION,
  },
  async run({ options, reporter, signal }) {
    options.positionals(0, []);
    const perClass = readPerClass(options);
    const classes = readClassList(options);
    const countFlag = GENERATE_SETTINGS.count.flag;
    // A batch from the CLI names its size: no silent 64 images into a folder.
    if (perClass === undefined) options.required(countFlag);
    else if (options.given(countFlag)) {
      throw new UsageError(`--${countFlag} and --${CLASS_OPTIONS.perClass.flag}: give one of them`);
    }
    const { count: _count, ...fixedDefaults } = defaultsOf(GENERATE_SETTINGS);
    const settings = {
      ...fixedDefaults,
      ...readSettings(options, GENERATE_SETTINGS),
      ...(perClass !== undefined ? { perClass } : {}),
      ...(classes !== undefined ? { classes } : {}),
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
      ...(result.classes
        ? [
            `by class (${result.out}/<class>/, an ImageFolder dataset): ` +
              result.classes.map((c) => `${c.folder} ${c.count}`).join(', '),
          ]
        : []),
      `manifest: ${result.manifest.jsonl} and ${result.manifest.csv}`,
    ]);
  },
};

/**
 * `--per-class`: a whole number (n of each class), or `class=n` pairs joined by commas; a class name may hold any
 * character but `,` and `=` (the model's own names are checked by the job, which lists them).
 * @throws UsageError for text that is neither.
 */
export function parsePerClass(raw: string): number | Record<string, number> {
  const flag = `--${CLASS_OPTIONS.perClass.flag}`;
  const whole = (text: string, what: string): number => {
    if (!/^\d+$/.test(text.trim()))
      throw new UsageError(`${flag}: ${what} must be a whole number, got "${text}"`);
    return Number(text.trim());
  };
  if (!raw.includes('=')) return whole(raw, 'the count of each class');
  const counts: Record<string, number> = {};
  for (const pair of raw.split(',')) {
    const at = pair.lastIndexOf('=');
    const name = pair.slice(0, at).trim();
    if (at < 0 || name === '') throw new UsageError(`${flag}: expected class=n, got "${pair}"`);
    if (name in counts) throw new UsageError(`${flag}: class ${name} is given twice`);
    counts[name] = whole(pair.slice(at + 1), `the count of ${name}`);
  }
  return counts;
}

function readPerClass(options: OptionReader): number | Record<string, number> | undefined {
  const raw = options.string(CLASS_OPTIONS.perClass.flag);
  return raw === undefined ? undefined : parsePerClass(raw);
}

function readClassList(options: OptionReader): string[] | undefined {
  const raw = options.string(CLASS_OPTIONS.classes.flag);
  if (raw === undefined) return undefined;
  const names = raw.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) {
    throw new UsageError(
      `--${CLASS_OPTIONS.classes.flag}: expected class names separated by commas, got "${raw}"`,
    );
  }
  return names;
}
