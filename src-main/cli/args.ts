import { parseArgs } from 'node:util';

/** A mistake in how the command was typed: exit code 2 and the command's usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One option of a command, as `--help` lists it and the parser reads it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Shown in help; also used for `number`/`choice` parsing. */
  value?: string;
  help: string;
  default?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parses `argv` strictly against `specs`: unknown options and missing values are usage errors. */
export function parseCommandArgs(argv: string[], specs: OptionSpecs): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  };
  for (const [name, spec] of Object.entries(specs)) options[name] = { type: spec.type };
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values, positionals };
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^.*?: /, '').split('\n')[0] ?? 'bad arguments');
  }
}

/** Reads a typed option from parsed values, with range checks whose message names the option. */
export class OptionReader {
  constructor(private readonly args: ParsedArgs) {}

  /** True when the user typed the option (so a default did not supply it). */
  given(name: string): boolean {
    return this.args.values[name] !== undefined;
  }

  flag(name: string): boolean {
    return this.args.values[name] === true;
  }

  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  string(name: string, fallback?: string): string | undefined {
    const v = this.args.values[name];
    return typeof v === 'string' ? v : fallback;
  }

  required(name: string): string {
    const v = this.string(name);
    if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
    return v;
  }

  number(name: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    const kind = opts.integer ? 'an integer' : 'a number';
    if (raw.trim() === '' || !Number.isFinite(n) || (opts.integer && !Number.isInteger(n))) {
      throw new UsageError(`--${name}: expected ${kind}, got "${raw}"`);
    }
    if (opts.min !== undefined && n < opts.min)
      throw new UsageError(`--${name}: must be ≥ ${opts.min}, got ${raw}`);
    if (opts.max !== undefined && n > opts.max)
      throw new UsageError(`--${name}: must be ≤ ${opts.max}, got ${raw}`);
    return n;
  }

  choice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!(choices as readonly string[]).includes(raw)) {
      throw new UsageError(`--${name}: expected one of ${choices.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  }

  positionals(count: number, names: string[]): string[] {
    const p = this.args.positionals;
    if (p.length < count)
      throw new UsageError(
        `missing ${names
          .slice(p.length)
          .map((n) => `<${n}>`)
          .join(' ')}`,
      );
    if (p.length > count) throw new UsageError(`unexpected argument "${p[count]}"`);
    return p;
  }
}
