import { TRAINING_SETTINGS } from '../../contract/index.js';
import { BACKEND_ENV_VAR } from '../../engine/node/index.js';
import {
  defaultPeerSettings,
  defaultPython,
  SUITE_DEFAULT_REPEATS,
  formatElboReport,
  formatSuiteReport,
  runBenchSuite,
  runElboParity,
  type PeerSettings,
  runBenchmark,
  formatKernelProfile,
} from '../../jobs/index.js';
import type { OptionReader } from '../args.js';
import { UsageError } from '../args.js';
import { BACKEND_OPTION, readBackend, type Command } from '../command.js';
import { fixed } from '../format.js';
import { readNumberSetting } from '../settingOptions.js';

/** Options each mode reads; any other given option is a usage error rather than silently ignored. */
const MODE_OPTIONS = {
  arch: ['arch', 'batch', 'steps', 'warmup', 'profile', 'backend'],
  suite: [
    'suite',
    'batch',
    'steps',
    'warmup',
    'images',
    'generate',
    'features',
    'threads',
    'repeats',
    'python',
    'backend',
  ],
  elbo: ['elbo', 'epochs', 'train-images', 'test-images', 'seed', 'dir', 'python', 'peer-threads', 'backend'],
} as const;

export const benchCommand: Command = {
  name: 'bench',
  summary: 'training, import and generation images/s, and −ELBO, next to the PyTorch peer',
  usage: '[--arch std28|std64 | --suite | --elbo]',
  options: {
    arch: {
      type: 'string',
      value: 'std28|std64',
      help: 'one architecture from ARCHITECTURES.md: training images/s on random data',
      default: 'std28',
    },
    profile: {
      type: 'boolean',
      help: "with --arch: also times tfjs's own training step kernel by kernel: ms, share of the step, GFLOP/s and the fraction of a 128-bit SIMD ceiling",
    },
    suite: {
      type: 'boolean',
      help:
        'one table: std28 and std64 training next to the PyTorch peer (same run, both at each thread count, ' +
        'each at its best), import and generation',
    },
    elbo: {
      type: 'boolean',
      help: 'test −ELBO of ours and the PyTorch peer after training on the same fixed std28 dataset',
    },
    batch: { type: 'string', value: 'n', help: 'training batch size', default: '64' },
    steps: {
      type: 'string',
      value: 'n',
      help: 'timed training steps (--suite: std28 50, std64 15 unless given)',
      default: '20',
    },
    warmup: { type: 'string', value: 'n', help: 'untimed steps first', default: '3' },
    images: { type: 'string', value: 'n', help: '--suite: PNGs to import', default: '2000' },
    generate: { type: 'string', value: 'n', help: '--suite: images to generate', default: '256' },
    features: {
      type: 'string',
      value: 'n',
      help: "--suite: images through the quality report's feature network",
      default: '1000',
    },
    threads: {
      type: 'string',
      value: 'n,n…',
      help: '--suite: thread counts both sides train at (default: 1 to the cores, doubling above 4)',
    },
    repeats: {
      type: 'string',
      value: 'n',
      help: '--suite: alternating ours/PyTorch runs per thread count; each side takes its best median',
      default: String(SUITE_DEFAULT_REPEATS),
    },
    python: {
      type: 'string',
      value: 'path|none',
      help: "Python with torch for the peer (test/peer/torch_vae.py); 'none' skips the peer",
      default: defaultPython(),
    },
    'peer-threads': {
      type: 'string',
      value: 'n',
      help: "--elbo: torch threads of the peer's training (default: all cores)",
    },
    epochs: { type: 'string', value: 'n', help: '--elbo: training epochs', default: '5' },
    'train-images': { type: 'string', value: 'n', help: '--elbo: training images', default: '6000' },
    'test-images': { type: 'string', value: 'n', help: '--elbo: test images', default: '1000' },
    seed: { type: 'string', value: 'n', help: '--elbo: seed of both trainings', default: '0' },
    dir: {
      type: 'string',
      value: 'folder',
      help: '--elbo: keep the data and our project here (default: a temporary folder)',
    },
    ...BACKEND_OPTION,
  },
  async run({ options, reporter, signal }) {
    options.positionals(0, []);
    if (options.flag('suite') && options.flag('elbo'))
      throw new UsageError('--suite and --elbo are separate runs; pick one');
    const mode = options.flag('suite') ? 'suite' : options.flag('elbo') ? 'elbo' : 'arch';
    refuseOtherOptions(options, mode);
    const backend = readBackend(options);
    const emit = reporter.event;

    if (mode === 'suite') {
      const steps = options.number('steps', { integer: true, min: 1 });
      const result = await runBenchSuite(
        {
          backend,
          batchSize: readNumberSetting(options, TRAINING_SETTINGS.batchSize) ?? 64,
          ...(steps !== undefined ? { steps: { std28: steps, std64: steps } } : {}),
          warmup: options.number('warmup', { integer: true, min: 0 }) ?? 3,
          ...threadCounts(options),
          repeats: options.number('repeats', { integer: true, min: 1, max: 100 }) ?? SUITE_DEFAULT_REPEATS,
          importImages: options.number('images', { integer: true, min: 1, max: 1_000_000 }) ?? 2000,
          generateImages: options.number('generate', { integer: true, min: 1, max: 1_000_000 }) ?? 256,
          featureImages: options.number('features', { integer: true, min: 1, max: 1_000_000 }) ?? 1000,
          peer: peerSettings(options),
          invocation: invocation(options),
        },
        { signal, emit },
      );
      reporter.result('bench', result, formatSuiteReport(result));
      return;
    }

    if (mode === 'elbo') {
      const dir = options.string('dir');
      const result = await runElboParity(
        {
          backend,
          epochs: options.number('epochs', { integer: true, min: 1, max: 1000 }) ?? 5,
          trainImages: options.number('train-images', { integer: true, min: 1, max: 1_000_000 }) ?? 6000,
          testImages: options.number('test-images', { integer: true, min: 1, max: 1_000_000 }) ?? 1000,
          seed: readNumberSetting(options, TRAINING_SETTINGS.seed) ?? 0,
          ...(dir ? { dir } : {}),
          peer: peerSettings(options),
          invocation: invocation(options),
        },
        { signal, emit },
      );
      reporter.result('bench', result, formatElboReport(result));
      return;
    }

    const result = await runBenchmark({
      arch: options.choice('arch', ['std28', 'std64'] as const) ?? 'std28',
      batchSize: readNumberSetting(options, TRAINING_SETTINGS.batchSize) ?? 64,
      steps: options.number('steps', { integer: true, min: 1 }) ?? 20,
      warmup: options.number('warmup', { integer: true, min: 0 }) ?? 3,
      backend,
      profile: options.flag('profile'),
    });
    const { backend: tfjsBackend, device, adapter, threads } = result.backend;
    // Where the steps ran: the native runtime when it took them (the backend then only makes the inputs).
    const used = result.native ?? tfjsBackend;
    const where = result.native
      ? device
      : `${device}${adapter ? `, ${adapter}` : ''}${threads ? `, ${threads} threads` : ''}`;
    reporter.result('bench', result, [
      `${result.arch} batch ${result.batchSize} on ${used} (${where}): ${fixed(result.imagesPerSec, 1)} training images/s (${fixed(result.msPerStep, 0)} ms/step, ${result.parameters} parameters, ${fixed(result.gflopPerImage, 3)} GFLOP per image: ${fixed(result.gflopPerImage * result.imagesPerSec, 1)} GFLOP/s)`,
      ...(result.profile
        ? [
            '',
            ...formatKernelProfile(
              result.profile,
              `one ${result.arch} training step of ${result.batchSize} on ${tfjsBackend}${threads ? ` (${threads} ${threads === 1 ? 'thread' : 'threads'})` : ''}`,
            ),
          ]
        : []),
    ]);
  },
};

/** What to use instead of an option that does not apply to a mode. */
const INSTEAD: Partial<Record<keyof typeof MODE_OPTIONS, Record<string, string>>> = {
  // One side held at one count while the other takes its best is the unfair comparison the sweep replaces.
  suite: { 'peer-threads': '--threads, which sets both sides' },
};

function refuseOtherOptions(options: OptionReader, mode: keyof typeof MODE_OPTIONS): void {
  const allowed: readonly string[] = MODE_OPTIONS[mode];
  const stray = Object.keys(benchCommand.options).filter((k) => options.given(k) && !allowed.includes(k));
  if (stray.length) {
    const what = mode === 'arch' ? 'a single-architecture run' : `--${mode}`;
    const instead = stray.map((k) => INSTEAD[mode]?.[k]).filter((x) => x !== undefined);
    throw new UsageError(
      `${stray.map((k) => `--${k}`).join(', ')} ${stray.length > 1 ? 'do' : 'does'} not apply to ${what}` +
        (instead.length ? ` (use ${instead.join('; ')})` : ''),
    );
  }
}

/** `--threads 1,2` as ascending distinct counts, or nothing when not given. */
function threadCounts(options: OptionReader): { threads?: number[] } {
  const raw = options.string('threads');
  if (raw === undefined) return {};
  const counts = raw.split(',').map((part) => part.trim());
  if (counts.some((c) => !/^\d+$/.test(c) || Number(c) < 1 || Number(c) > 1024)) {
    throw new UsageError(
      `--threads wants thread counts from 1 to 1024 separated by commas, e.g. 1,2; got '${raw}'`,
    );
  }
  return { threads: [...new Set(counts.map(Number))].sort((a, b) => a - b) };
}

function peerSettings(options: OptionReader): PeerSettings | null {
  const python = options.string('python');
  if (python === 'none') return null;
  const threads = options.number('peer-threads', { integer: true, min: 1, max: 1024 });
  return {
    ...defaultPeerSettings(),
    ...(python ? { python } : {}),
    ...(threads !== undefined ? { threads } : {}),
  };
}

/** The command line as typed (options in a fixed order), with the backend variable when it decides. */
function invocation(options: OptionReader): string {
  const parts = ['vae-studio', 'bench'];
  for (const [name, spec] of Object.entries(benchCommand.options)) {
    if (!options.given(name)) continue;
    if (spec.type === 'boolean') parts.push(`--${name}`);
    else parts.push(`--${name}`, shellWord(options.string(name) ?? ''));
  }
  const env = process.env[BACKEND_ENV_VAR]?.trim();
  const envDecides = env && env !== 'auto' && (options.string('backend') ?? 'auto') === 'auto';
  return (envDecides ? `${BACKEND_ENV_VAR}=${env} ` : '') + parts.join(' ');
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
