/**
 * Forms built from the settings spec (contract/settings): a form holds one field per setting, a number field is
 * '' while the user has emptied it, and the defaults, bounds and labels all come from the setting's one entry.
 */
import {
  defaultsOf,
  type BooleanSetting,
  type ChoiceSetting,
  type DataShape,
  type SettingGroup,
  type SettingValues,
} from '../api/contract';
import type { NumberField } from './validation';

/** The form values of a group: a choice holds its value, a switch true or false, a number may be '' while empty. */
export type FormOf<G extends SettingGroup> = {
  -readonly [K in keyof G]: G[K] extends ChoiceSetting<infer T>
    ? T
    : G[K] extends BooleanSetting
      ? boolean
      : NumberField;
};

/** A group's defaults as form values, for images of `shape` where a default depends on them. */
export function formDefaults<G extends SettingGroup>(group: G, shape?: DataShape): FormOf<G> {
  return defaultsOf(group, shape);
}

/** Copies the group's keys of `values` into `form` (a model's config into the Train form, say). */
export function fillForm<G extends SettingGroup>(
  form: FormOf<G>,
  group: G,
  values: Partial<SettingValues<G>>,
): void {
  const target = form as Record<string, unknown>;
  for (const key of Object.keys(group)) {
    const value = (values as Record<string, unknown>)[key];
    if (value !== undefined) target[key] = value;
  }
}
