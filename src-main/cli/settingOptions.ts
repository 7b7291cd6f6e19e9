/**
 * CLI options derived from the settings spec (contract/settings): each setting's flag, value hint, help and
 * default come from its one entry, and its value is checked against the same bounds the app's form and the
 * engine use, so the CLI accepts exactly what the app does.
 */
import {
  choiceValues,
  defaultText,
  describeBounds,
  settingProblem,
  type BooleanSetting,
  type NumberSetting,
  type Setting,
  type SettingGroup,
  type SettingValues,
} from '../contract/index.js';
import { parseDecimal, UsageError, type OptionReader, type OptionSpec, type OptionSpecs } from './args.js';

/**
 * One `--flag <value>` option per setting of `group`, keyed by flag, in the group's order. Settings in
 * `required` have no default on the command line (the command insists on them, e.g. `generate --count`).
 */
export function settingOptions<G extends SettingGroup>(
  group: G,
  { required = [] }: { required?: readonly (keyof G)[] } = {},
): OptionSpecs {
  const specs: OptionSpecs = {};
  for (const [key, setting] of Object.entries(group)) {
    const { default: _default, ...option } = settingOption(setting);
    specs[setting.flag] =
      required.includes(key) || _default === undefined ? option : { ...option, default: _default };
    if (hasOffSwitch(setting)) {
      specs[offFlag(setting)] = { type: 'boolean', help: `turns --${setting.flag} off` };
    }
  }
  return specs;
}

/** True for an on/off setting whose default may be on: it also takes `--no-<flag>`. */
function hasOffSwitch(s: Setting): s is BooleanSetting {
  return s.kind === 'boolean' && s.default !== false;
}

/** The `--no-` form of an on/off setting's flag, without the dashes. */
export function offFlag(s: Setting): string {
  return `no-${s.flag}`;
}

/** The option of one setting, as `--help` lists it. */
export function settingOption(s: Setting): OptionSpec {
  if (s.kind === 'boolean') {
    // A switch that is off by default turns it on; one whose default may be on has a `--no-` form beside it.
    return s.default === false
      ? { type: 'boolean', help: s.help }
      : { type: 'boolean', help: s.help, default: defaultText(s) };
  }
  if (s.kind === 'choice') {
    return { type: 'string', value: choiceValues(s).join('|'), help: s.help, default: defaultText(s) };
  }
  const unit = s.unit ? ` ${s.unit}` : '';
  return {
    type: 'string',
    value: s.integer ? 'n' : 'x',
    help: `${s.help}; ${range(s)}${unit}`,
    default: defaultText(s),
  };
}

function range(s: Extract<Setting, { kind: 'number' }>): string {
  return s.minExclusive ? `above ${s.min}, up to ${s.max}` : `${s.min}–${s.max}`;
}

/**
 * The settings of `group` the user typed, parsed and checked; the ones left out are absent, so the job fills
 * them with their defaults for the images.
 *
 * @throws UsageError naming the flag and the allowed range.
 */
export function readSettings<G extends SettingGroup>(
  options: OptionReader,
  group: G,
): Partial<SettingValues<G>> {
  const values: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(group)) {
    const value = readSetting(options, s);
    if (value !== undefined) values[key] = value;
  }
  return values as Partial<SettingValues<G>>;
}

/** True when the user typed the setting's flag (or, for an on/off one, its `--no-` form). */
export function settingGiven(options: OptionReader, s: Setting): boolean {
  return options.given(s.flag) || (hasOffSwitch(s) && options.given(offFlag(s)));
}

/** One setting's typed value, or undefined when its flag was not given. */
export function readSetting(options: OptionReader, s: Setting): number | string | boolean | undefined {
  if (s.kind === 'boolean') {
    const on = options.flag(s.flag);
    const off = hasOffSwitch(s) && options.flag(offFlag(s));
    if (on && off) throw new UsageError(`--${s.flag} and --${offFlag(s)}: give one of them`);
    return on ? true : off ? false : undefined;
  }
  const raw = options.string(s.flag);
  if (raw === undefined) return undefined;
  let value: number | string = raw;
  const numeric = s.kind === 'number' || typeof s.default === 'number';
  if (numeric) {
    const n = parseDecimal(raw, s.kind === 'choice' || s.integer);
    if (n === null) {
      // "0x10", "1e3" for a whole number, "Infinity": numbers to JavaScript, but not as people write them.
      const how = Number.isNaN(Number(raw)) || raw.trim() === '' ? '' : ' in plain decimal digits';
      throw new UsageError(`--${s.flag}: expected ${describeBounds(s)}${how}, got "${raw}"`);
    }
    value = n;
  }
  const problem = settingProblem(s, value);
  if (problem) throw new UsageError(`--${s.flag}: ${problem}, got ${raw}`);
  return value;
}

/** {@link readSetting} for a number setting, typed: for a command's own option that shares a setting's bounds. */
export function readNumberSetting(options: OptionReader, s: NumberSetting): number | undefined {
  return readSetting(options, s) as number | undefined;
}
