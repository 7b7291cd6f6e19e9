import { runBenchmark } from '../../jobs/index.js';
import { BACKEND_OPTION, BACKENDS, type Command } from '../command.js';
import { fixed } from '../format.js';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'training images/s of a standard architecture (std28, std64) on random data',
  usage: '[--arch std28|std64]',
  options: {
    arch: {
      type: 'string',
      value: 'std28|std64',
      help: 'architecture from ARCHITECTURES.md',
      default: 'std28',
    },
    batch: { type: 'string', value: 'n', help: 'batch size', default: '64' },
    steps: { type: 'string', value: 'n', help: 'timed training steps', default: '20' },
    warmup: { type: 'string', value: 'n', help: 'untimed steps first', default: '3' },
    ...BACKEND_OPTION,
  },
  async run({ options, reporter }) {
    options.positionals(0, []);
    const result = await runBenchmark({
      arch: options.choice('arch', ['std28', 'std64'] as const) ?? 'std28',
      batchSize: options.number('batch', { integer: true, min: 1, max: 4096 }) ?? 64,
      steps: options.number('steps', { integer: true, min: 1 }) ?? 20,
      warmup: options.number('warmup', { integer: true, min: 0 }) ?? 3,
      backend: options.choice('backend', BACKENDS) ?? 'auto',
    });
    reporter.result('bench', result, [
      `${result.arch} batch ${result.batchSize} on ${result.backend.backend} (${result.backend.device}${result.backend.threads ? `, ${result.backend.threads} threads` : ''}): ${fixed(result.imagesPerSec, 1)} training images/s (${fixed(result.msPerStep, 0)} ms/step, ${result.parameters} parameters)`,
    ]);
  },
};
