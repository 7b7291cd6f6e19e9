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

/**
 * Parses `argv` against `specs`. Unknown options (with the closest known one as a suggestion), a missing value and
 * a value given to a switch are usage errors. A value may start with '-' only when it is a number (`--beta -1` is
 * read as a value, so the range check can name the flag); any other dash-led value means the value was forgotten.
 */
export function parseCommandArgs(argv: string[], specs: OptionSpecs): ParsedArgs {
  const known: Record<string, { type: 'string' | 'boolean' }> = {
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  };
  for (const [name, spec] of Object.entries(specs)) known[name] = { type: spec.type };
  // Not strict: node's own messages are cut ("… as in '-- "--lattent"") and call a negative number ambiguous,
  // so the tokens are checked here instead.
  const { tokens } = parseArgs({
    args: argv,
    options: { ...known, h: { type: 'boolean' } },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const values: ParsedArgs['values'] = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator') continue;
    const name = token.name === 'h' && token.rawName === '-h' ? 'help' : token.name;
    const spec = known[name];
    if (!spec) {
      throw new UsageError(`unknown option ${token.rawName}${suggestion(name, Object.keys(known))}`);
    }
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`--${name} takes no value, got "${token.value}"`);
      values[name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && value.startsWith('-') && !NUMBER_LIKE.test(value))) {
      throw new UsageError(`--${name} needs a value`);
    }
    values[name] = value;
  }
  return { values, positionals };
}

/** A value that starts with '-' but is a (negative) number, not the next option: -1, -0.5, -.5, -1e3. */
const NUMBER_LIKE = /^-(\d|\.\d)/;

/** " (did you mean --latent?)" when a known option is a typo or two away from `name`, else "". */
function suggestion(name: string, known: string[]): string {
  let best: { option: string; distance: number } | null = null;
  for (const option of known) {
    const distance = editDistance(name, option);
    if (!best || distance < best.distance) best = { option, distance };
  }
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  return best && best.distance <= limit ? ` (did you mean --${best.option}?)` : '';
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * The number `raw` spells in plain decimal digits, or null: "12", "-1", "0.5", ".5", and for a non-integer
 * also exponent notation ("1e-3", natural for a learning rate). Hex, binary and octal (`0x10`, `0b1`, `0o7`),
 * `Infinity`, `NaN`, blanks and digit separators are refused, and so is an exponent where a whole number is
 * wanted (`1e3` for a seed is a typo more often than not). A fraction is read, for the range check to refuse.
 */
export function parseDecimal(raw: string, integer: boolean): number | null {
  const pattern = integer ? /^[-+]?(\d+\.?\d*|\.\d+)$/ : /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
  if (!pattern.test(raw)) return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
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

  /** A number in plain decimal notation (see {@link parseDecimal}), checked against the bounds. */
  number(name: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const n = parseDecimal(raw, opts.integer ?? false);
    const kind = opts.integer ? 'a whole number' : 'a number';
    if (n === null) {
      const how = Number.isNaN(Number(raw)) || raw.trim() === '' ? '' : ' in plain decimal digits';
      throw new UsageError(`--${name}: expected ${kind}${how}, got "${raw}"`);
    }
    if (opts.integer && !Number.isInteger(n)) throw new UsageError(`--${name}: must be ${kind}, got ${raw}`);
    if (opts.min !== undefined && n < opts.min)
      throw new UsageError(`--${name}: must be ${kind} of at least ${opts.min}, got ${raw}`);
    if (opts.max !== undefined && n > opts.max)
      throw new UsageError(`--${name}: must be ${kind} of at most ${opts.max}, got ${raw}`);
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
