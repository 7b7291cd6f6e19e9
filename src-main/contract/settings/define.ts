/**
 * What a setting is: one entry that holds a user-facing value's key, default, bounds, unit, label, help and CLI
 * flag together (the idea of Pythae's config dataclasses). The zod input schemas, the engine's checks, the CLI
 * options and the renderer's form fields are all derived from these entries, so the app and the CLI can never
 * disagree about a default or a bound. zod only: the renderer, the compute page and the engine all import it.
 */
import { z } from 'zod';

/** What a default may depend on: the images a model is trained on. */
export interface DataShape {
  imageSize: number;
  channels: 1 | 3;
  /** Images in the dataset, where known: the training length scales with it. */
  count?: number;
  /** The dataset's class names (its class folders), sorted; absent or empty when it has none. */
  classes?: readonly string[];
}

interface SettingBase {
  /** The form's label. */
  label: string;
  /** One line: what it does, for the form's hint and `--help`. */
  help: string;
  /** The CLI option, without the dashes (`latent` for `--latent`). */
  flag: string;
}

/** A number with bounds; `integer` settings also refuse fractions. */
export interface NumberSetting extends SettingBase {
  kind: 'number';
  integer: boolean;
  min: number;
  max: number;
  /** True when `min` itself is not allowed (a learning rate of 0). */
  minExclusive?: boolean;
  /** Shown after the value: "epochs", "nats". */
  unit?: string;
  /** A fixed default, or one that depends on the data (the latent size of 28×28 images). */
  default: number | ((shape: DataShape) => number);
  /** How a data-dependent default reads in `--help`: "16 for 28×28, else 32". */
  defaultText?: string;
}

/** One of a fixed list of values, each with the words the form shows for it. */
export interface ChoiceSetting<T extends string | number = string | number> extends SettingBase {
  kind: 'choice';
  choices: readonly { value: T; label: string }[];
  /** The default when nothing is known of the images. */
  default: T;
  /** The default for images of a shape, where it depends on them (the likelihood of colour images). */
  defaultFor?: (shape: DataShape) => T;
  /** How a data-dependent default reads in `--help`. */
  defaultText?: string;
}

/**
 * On or off: a switch on the command line (`--reject-copies`, given = on) and a checkbox in the form. A setting
 * whose default may be on (a fixed `true`, or one that depends on the data) also takes `--no-<flag>` to turn it off.
 */
export interface BooleanSetting extends SettingBase {
  kind: 'boolean';
  /** A fixed default, or one that depends on the data (conditional training: on when the data has classes). */
  default: boolean | ((shape: DataShape) => boolean);
  /** How a data-dependent default reads in `--help`: "on when the dataset has 2 or more classes". */
  defaultText?: string;
}

export type Setting = NumberSetting | ChoiceSetting | BooleanSetting;
/** Settings by key, in the order forms and `--help` list them. */
export type SettingGroup = Readonly<Record<string, Setting>>;

/** The value type of one setting. */
export type SettingValue<S> =
  S extends ChoiceSetting<infer T> ? T : S extends BooleanSetting ? boolean : number;
/** The values of a group, every key present. */
export type SettingValues<G extends SettingGroup> = { -readonly [K in keyof G]: SettingValue<G[K]> };

/** Declares a number setting. */
export function numberSetting(spec: Omit<NumberSetting, 'kind'>): NumberSetting {
  return { kind: 'number', ...spec };
}

/** Declares a choice setting; the values keep their literal types. */
export function choiceSetting<const T extends string | number>(
  spec: Omit<ChoiceSetting<T>, 'kind'>,
): ChoiceSetting<T> {
  return { kind: 'choice', ...spec };
}

/** Declares an on/off setting. */
export function booleanSetting(spec: Omit<BooleanSetting, 'kind'>): BooleanSetting {
  return { kind: 'boolean', ...spec };
}

/** The values a choice setting allows. */
export function choiceValues<T extends string | number>(s: ChoiceSetting<T>): T[] {
  return s.choices.map((c) => c.value);
}

/** True when a setting's default is a function of the data rather than a fixed value. */
export function dependsOnData(s: Setting): boolean {
  return typeof s.default === 'function' || (s.kind === 'choice' && s.defaultFor !== undefined);
}

/** A setting's default for data of `shape` (needed only by a default that depends on the data). */
export function defaultOf(s: Setting, shape?: DataShape): number | string | boolean {
  if (s.kind === 'choice') return shape && s.defaultFor ? s.defaultFor(shape) : s.default;
  if (typeof s.default !== 'function') return s.default;
  if (!shape) throw new Error(`the default of ${s.flag} depends on the images, and none were given`);
  return s.default(shape);
}

/** Every default of a group, for data of `shape` where a default depends on it. */
export function defaultsOf<G extends SettingGroup>(group: G, shape?: DataShape): SettingValues<G> {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(group)) out[key] = defaultOf(s, shape);
  return out as SettingValues<G>;
}

/** The default as `--help` writes it. */
export function defaultText(s: Setting): string {
  if (dependsOnData(s)) return s.defaultText ?? 'depends on the images';
  if (s.kind === 'choice') return String(s.default);
  if (s.kind === 'boolean') return s.default ? 'on' : 'off';
  return String(s.default);
}

/** The allowed range in words: "a whole number from 1 to 512", "a number above 0 and at most 1". */
export function describeBounds(s: Setting): string {
  if (s.kind === 'choice') return `one of ${choiceValues(s).join(', ')}`;
  if (s.kind === 'boolean') return 'on or off (true or false)';
  const kind = s.integer ? 'a whole number' : 'a number';
  if (s.minExclusive) return `${kind} above ${s.min} and at most ${s.max}`;
  return `${kind} from ${s.min} to ${s.max}`;
}

/**
 * Why `value` is not allowed for `s`, in words for a person ("must be a whole number from 1 to 512"), or null
 * when it is.
 */
export function settingProblem(s: Setting, value: unknown): string | null {
  if (s.kind === 'choice') {
    return (choiceValues(s) as unknown[]).includes(value) ? null : `must be ${describeBounds(s)}`;
  }
  if (s.kind === 'boolean') return typeof value === 'boolean' ? null : 'must be true or false';
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!s.integer || Number.isInteger(value)) &&
    (s.minExclusive ? value > s.min : value >= s.min) &&
    value <= s.max;
  return ok ? null : `must be ${describeBounds(s)}`;
}

/**
 * Every problem of `values` against `group`, by key, for the keys present (a missing key takes its default).
 * Keys the group does not declare are left alone.
 */
export function settingProblems(
  group: SettingGroup,
  values: Record<string, unknown>,
): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const [key, s] of Object.entries(group)) {
    if (values[key] === undefined) continue;
    const problem = settingProblem(s, values[key]);
    if (problem) problems[key] = problem;
  }
  return problems;
}

/** A zod schema whose input and output are both `T` (zod's default input type is `unknown`). */
type Schema<T> = z.ZodType<T, T>;

/** The zod schema of one setting's value (no default); its messages are the ones the form shows. */
export function settingSchema<S extends Setting>(s: S): Schema<SettingValue<S>> {
  if (s.kind === 'choice') {
    const values = choiceValues(s);
    return z.literal(values, { error: `must be one of ${values.join(', ')}` }) as unknown as Schema<
      SettingValue<S>
    >;
  }
  if (s.kind === 'boolean') {
    return z.boolean({ error: 'must be true or false' }) as unknown as Schema<SettingValue<S>>;
  }
  let n = s.integer ? z.number().int('must be a whole number') : z.number();
  n = s.minExclusive
    ? n.gt(s.min, `must be greater than ${s.min}`)
    : n.min(s.min, `must be at least ${s.min}`);
  n = n.max(s.max, `must be at most ${s.max}`);
  return n as unknown as Schema<SettingValue<S>>;
}

type OptionalShape<G extends SettingGroup> = { [K in keyof G]: z.ZodOptional<Schema<SettingValue<G[K]>>> };
type DefaultedShape<G extends SettingGroup> = { [K in keyof G]: z.ZodDefault<Schema<SettingValue<G[K]>>> };

/**
 * The zod shape of a group with every field optional: what a request takes when a missing field means "the
 * default for these images", which only the side that knows the images can fill in.
 */
export function optionalShape<G extends SettingGroup>(group: G): OptionalShape<G> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, s] of Object.entries(group)) shape[key] = settingSchema(s).optional();
  return shape as OptionalShape<G>;
}

/** The zod shape of a group whose defaults are fixed (none depends on the images), defaults filled in. */
export function defaultedShape<G extends SettingGroup>(group: G): DefaultedShape<G> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, s] of Object.entries(group)) {
    if (dependsOnData(s)) throw new Error(`${key}: a data-dependent default cannot be a schema default`);
    shape[key] = settingSchema(s).default(s.default as never);
  }
  return shape as DefaultedShape<G>;
}

/** The zod shape of a group's values as stored (types only, no bounds): for results and checkpoints. */
export function valueShape<G extends SettingGroup>(group: G): { [K in keyof G]: Schema<SettingValue<G[K]>> } {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, s] of Object.entries(group)) {
    shape[key] =
      s.kind === 'choice'
        ? settingSchema(s)
        : s.kind === 'boolean'
          ? z.boolean()
          : s.integer
            ? z.number().int()
            : z.number();
  }
  return shape as { [K in keyof G]: Schema<SettingValue<G[K]>> };
}

/** The keys of a group with the value types, for splitting a flat object into groups. */
export function pickGroup<G extends SettingGroup>(
  group: G,
  values: Partial<Record<string, unknown>>,
): Partial<SettingValues<G>> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(group)) if (values[key] !== undefined) out[key] = values[key];
  return out as Partial<SettingValues<G>>;
}
