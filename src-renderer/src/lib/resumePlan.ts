/**
 * What Resume would do with the project's model and the Train form as they stand: Resume continues the model
 * with its own settings, and the form's Epochs is the one value it takes (the new total).
 */
import { IMAGE_SIZE_SETTING, MODEL_SETTINGS, TRAINING_SETTINGS, type ModelSummary } from '../api/contract';

export interface ResumePlan {
  /** Epochs the model has trained. */
  trained: number;
  /** The total Resume trains to (the form's Epochs), or null when that is not above `trained`. */
  target: number | null;
  /** An Epochs value to offer when it is not: half as many again, at least one more. */
  suggested: number;
  /** Labels of the form's settings that differ from the model's: Resume keeps the model's own. */
  ignored: string[];
}

/**
 * The plan for `model` and the form's values; `epochsValid` is false while the Epochs field has an error.
 */
export function resumePlan(
  model: ModelSummary,
  form: Readonly<Record<string, unknown>>,
  epochsValid: boolean,
): ResumePlan {
  const trained = model.epoch;
  const epochs = form.epochs;
  const target = epochsValid && typeof epochs === 'number' && epochs > trained ? epochs : null;
  const suggested = Math.min(TRAINING_SETTINGS.epochs.max, trained + Math.max(1, Math.round(trained / 2)));
  const ignored: string[] = [];
  if (form.imageSize !== model.config.imageSize) ignored.push(IMAGE_SIZE_SETTING.label);
  for (const [key, setting] of Object.entries(MODEL_SETTINGS)) {
    if (form[key] !== model.config[key as keyof typeof MODEL_SETTINGS]) ignored.push(setting.label);
  }
  for (const [key, setting] of Object.entries(TRAINING_SETTINGS)) {
    if (key === 'epochs') continue;
    if (form[key] !== model.trainOptions[key as keyof typeof TRAINING_SETTINGS]) ignored.push(setting.label);
  }
  return { trained, target, suggested, ignored };
}
