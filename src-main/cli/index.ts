import { findPackage } from '../util/packageInfo.js';
import { UserError, CancelledError } from '../util/errors.js';
import { fsFailure } from '../util/fsErrors.js';
import { withCliAdvice } from './advice.js';
import { OptionReader, parseCommandArgs, UsageError } from './args.js';
import type { Command } from './command.js';
import { benchCommand } from './commands/bench.js';
import { demoCommand } from './commands/demo.js';
import { evalCommand } from './commands/eval.js';
import { generateCommand } from './commands/generate.js';
import { importCommand } from './commands/import.js';
import { infoCommand } from './commands/info.js';
import { interpolateCommand } from './commands/interpolate.js';
import { mapCommand } from './commands/map.js';
import { qualityCommand } from './commands/quality.js';
import { outliersCommand } from './commands/outliers.js';
import { traverseCommand } from './commands/traverse.js';
import { serveCommand } from './commands/serve.js';
import { trainCommand } from './commands/train.js';
import { Reporter } from './reporter.js';

export const COMMANDS: Command[] = [
  importCommand,
  trainCommand,
  generateCommand,
  interpolateCommand,
  evalCommand,
  qualityCommand,
  outliersCommand,
  traverseCommand,
  mapCommand,
  infoCommand,
  serveCommand,
  benchCommand,
  demoCommand,
];

/** Exit codes: 0 success, 1 failure (one-line cause), 2 usage error, 130 interrupted. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/**
 * Runs `vae-studio` with `argv` (without node and the script) and resolves to the process exit code.
 * Ctrl-C cancels the running job between steps; what it already wrote stays whole.
 */
export async function main(
  argv: string[],
  io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {},
): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    stdout.write(globalHelp());
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-v') {
    stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  const json = rest.includes('--json');
  const reporter = new Reporter(json, stdout, stderr);
  if (!command) {
    reporter.failure(
      'USAGE',
      `unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')})`,
    );
    return EXIT.usage;
  }
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    reporter.line('stopping after the current step… (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  let project: string | undefined;
  try {
    const parsed = parseCommandArgs(rest, command.options);
    if (typeof parsed.values.project === 'string') project = parsed.values.project;
    if (parsed.values.help) {
      stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    await command.run({ options: new OptionReader(parsed), reporter, signal: controller.signal });
    return controller.signal.aborted ? EXIT.interrupted : EXIT.ok;
  } catch (thrown) {
    // A file-system failure anywhere below becomes a UserError naming the path and what to do.
    const err = fsFailure(thrown);
    if (err instanceof UsageError) {
      reporter.failure('USAGE', `${command.name}: ${err.message} (see vae-studio ${command.name} --help)`);
      return EXIT.usage;
    }
    if (err instanceof CancelledError) {
      reporter.failure(err.code, 'cancelled');
      return EXIT.interrupted;
    }
    if (err instanceof UserError) {
      // The message is the app's too; what to type next is the CLI's own.
      reporter.failure(err.code, withCliAdvice(err.message, err.code, { command: command.name, project }));
      return EXIT.failure;
    }
    const e = err as Error;
    reporter.failure(
      'INTERNAL',
      `${command.name} failed unexpectedly: ${e.message}${process.env.VAE_STUDIO_DEBUG ? `\n${e.stack}` : ' (set VAE_STUDIO_DEBUG=1 for the stack)'}`,
    );
    return EXIT.failure;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function version(): string {
  const pkg = findPackage();
  return pkg ? `vae-studio ${pkg.version}` : 'vae-studio';
}

function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `${version()}: make synthetic image datasets with a variational autoencoder`,
    '',
    'usage: vae-studio <command> [options]   (vae-studio <command> --help for its options)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'every command takes --json: one JSON object per line (events, then the result).',
    'exit codes: 0 ok, 1 failure (cause on stderr), 2 usage error, 130 interrupted.',
    '',
  ].join('\n');
}

function commandHelp(c: Command): string {
  const rows = Object.entries(c.options).map(([name, o]) => {
    const left = `--${name}${o.type === 'string' ? ` <${o.value ?? 'value'}>` : ''}`;
    return [left, `${o.help}${o.default !== undefined ? ` (default ${o.default})` : ''}`] as const;
  });
  rows.push(['--json', 'one JSON object per line: events, then the result']);
  const width = Math.max(...rows.map(([l]) => l.length));
  return [
    `usage: vae-studio ${c.name} ${c.usage} [options]`,
    '',
    c.summary,
    '',
    ...rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`),
    '',
  ].join('\n');
}
