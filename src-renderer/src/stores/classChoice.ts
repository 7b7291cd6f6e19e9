import { computed, reactive, ref, watch, type Ref } from 'vue';
import {
  CLASS_OPTIONS,
  GENERATE_SETTINGS,
  numberSetting,
  settingProblem,
  splitByTrainingShare,
  type GenerateInput,
  type ModelClass,
} from '../api/contract';
import type { NumberField } from '../lib/validation';

/**
 * How a conditional model's images are counted: the form's count split by the training data's proportions (the
 * default, as the CLI does without --per-class), the same number of each chosen class, or a number per class.
 */
export type CountMode = 'split' | 'each' | 'counts';

/** "N per class": at least one image of each chosen class (the count setting's bounds otherwise). */
export const EACH_CLASS_SETTING = numberSetting({
  ...GENERATE_SETTINGS.count,
  label: CLASS_OPTIONS.perClass.label,
  help: 'images of each chosen class',
  default: 8,
});
/** One class's own number in "counts per class": 0 leaves the class out. */
export const CLASS_COUNT_SETTING = numberSetting({
  ...GENERATE_SETTINGS.count,
  label: 'Images',
  help: 'images of this class',
  min: 0,
  default: 8,
});

/** What the class choice sends, and what is wrong with it (by field; `classes` for the choice as a whole). */
export interface ClassRequest {
  input: Pick<GenerateInput, 'count' | 'perClass' | 'classes'> | null;
  errors: Partial<Record<string, string>>;
}

/** A saved class choice, to bring back when its project is opened again. */
export interface ClassChoiceState {
  classes: string[];
  selected: string[];
  mode: CountMode;
  each: NumberField;
  counts: Record<string, NumberField>;
}

/**
 * The Generate view's choice of classes and counts for a conditional model (`classes` are the model's, with their
 * training images; none for an unconditional model, which shows nothing of this): which classes, how to count,
 * the split it gives before anything starts, and the `count` / `perClass` / `classes` of `generation.start`.
 */
export function createClassChoice(classes: Ref<readonly ModelClass[]>, count: () => NumberField) {
  const selected = ref<string[]>([]);
  const mode = ref<CountMode>('split');
  const each = ref<NumberField>(EACH_CLASS_SETTING.default as number);
  const counts = reactive<Record<string, NumberField>>({});
  const conditional = computed(() => classes.value.length > 0);

  function reset(): void {
    selected.value = classes.value.map((c) => c.name);
    mode.value = 'split';
    each.value = EACH_CLASS_SETTING.default as number;
    for (const key of Object.keys(counts)) delete counts[key];
    for (const c of classes.value) counts[c.name] = CLASS_COUNT_SETTING.default as number;
  }
  // Another model's classes: start again from all of them.
  watch(
    () => classes.value.map((c) => c.name).join('\n'),
    () => reset(),
    { immediate: true, flush: 'sync' },
  );

  /** The chosen classes in the model's order. */
  const chosen = computed(() => classes.value.filter((c) => selected.value.includes(c.name)));

  function isSelected(name: string): boolean {
    return selected.value.includes(name);
  }
  function setSelected(name: string, on: boolean): void {
    const rest = selected.value.filter((n) => n !== name);
    selected.value = on ? [...rest, name] : rest;
  }
  function selectAll(): void {
    selected.value = classes.value.map((c) => c.name);
  }
  function selectNone(): void {
    selected.value = [];
  }

  /** Each chosen class with the images the run would write of it, or null while a number is wrong. */
  const plan = computed<{ name: string; count: number }[] | null>(() => {
    const picked = chosen.value;
    if (mode.value === 'split') {
      const n = count();
      if (typeof n !== 'number' || settingProblem(GENERATE_SETTINGS.count, n)) return null;
      const parts = splitByTrainingShare(
        n,
        picked.map((c) => c.images),
      );
      return picked.map((c, i) => ({ name: c.name, count: parts[i]! }));
    }
    if (mode.value === 'each') {
      const n = each.value;
      if (typeof n !== 'number' || settingProblem(EACH_CLASS_SETTING, n)) return null;
      return picked.map((c) => ({ name: c.name, count: n }));
    }
    const out: { name: string; count: number }[] = [];
    for (const c of picked) {
      const n = counts[c.name];
      if (typeof n !== 'number' || settingProblem(CLASS_COUNT_SETTING, n)) return null;
      out.push({ name: c.name, count: n });
    }
    return out;
  });
  const total = computed(() => plan.value?.reduce((sum, c) => sum + c.count, 0) ?? null);

  const request = computed<ClassRequest>(() => {
    const errors: Partial<Record<string, string>> = {};
    if (chosen.value.length === 0) errors.classes = 'Choose at least one class';
    if (mode.value === 'each') {
      const problem = fieldProblem(EACH_CLASS_SETTING, each.value);
      if (problem) errors.each = problem;
    }
    if (mode.value === 'counts') {
      for (const c of chosen.value) {
        const problem = fieldProblem(CLASS_COUNT_SETTING, counts[c.name]);
        if (problem) errors[`count:${c.name}`] = problem;
      }
    }
    if (!errors.classes && plan.value && total.value === 0) errors.classes = 'Ask for at least one image';
    if (Object.keys(errors).length > 0 || !plan.value) return { input: null, errors };
    const all = chosen.value.length === classes.value.length;
    const which = all ? {} : { classes: chosen.value.map((c) => c.name) };
    if (mode.value === 'split') return { input: { count: count() as number, ...which }, errors };
    if (mode.value === 'each') return { input: { perClass: each.value as number, ...which }, errors };
    return {
      input: { perClass: Object.fromEntries(plan.value.map((c) => [c.name, c.count])), ...which },
      errors,
    };
  });

  function snapshot(): ClassChoiceState {
    return {
      classes: classes.value.map((c) => c.name),
      selected: [...selected.value],
      mode: mode.value,
      each: each.value,
      counts: { ...counts },
    };
  }
  /** Brings a saved choice back if it was made for the same classes; otherwise starts from all of them. */
  function restore(saved: ClassChoiceState | null | undefined): void {
    reset();
    if (!saved || saved.classes.join('\n') !== classes.value.map((c) => c.name).join('\n')) return;
    selected.value = [...saved.selected];
    mode.value = saved.mode;
    each.value = saved.each;
    Object.assign(counts, saved.counts);
  }

  return {
    conditional,
    selected,
    mode,
    each,
    counts,
    chosen,
    plan,
    total,
    request,
    isSelected,
    setSelected,
    selectAll,
    selectNone,
    snapshot,
    restore,
  };
}

export type ClassChoice = ReturnType<typeof createClassChoice>;

function fieldProblem(setting: typeof CLASS_COUNT_SETTING, value: NumberField | undefined): string | null {
  if (value === '' || value === undefined || Number.isNaN(value)) return 'Enter a number';
  return settingProblem(setting, value);
}
