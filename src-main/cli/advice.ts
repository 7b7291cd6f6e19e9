import type { ErrorCode } from '../contract/index.js';
import { SAMPLER_SETTING, TRAIN_SETTINGS } from '../contract/index.js';

/** What a failed command was typed with: its name and the `--project` it was given, if any. */
export interface TypedCommand {
  command: string;
  project: string | undefined;
}

/**
 * What to type next, for a failure whose message says what is wrong in words the app shows too. The main side's
 * messages name no flag and no command (the app has neither); the CLI adds them here, by code and command.
 *
 * @returns a clause to append after the message ("; train one with: vae-studio train --project p"), or null.
 */
export function cliAdvice(code: ErrorCode, typed: TypedCommand): string | null {
  const project = typed.project ?? '<project>';
  switch (code) {
    case 'NO_PROJECT':
      return `create one with: vae-studio import <folder> --project ${project}`;
    case 'NO_MODEL':
      return typed.command === 'train'
        ? `start one with: vae-studio train --project ${project} (without --resume)`
        : `train one with: vae-studio train --project ${project}`;
    case 'ALREADY_DONE':
      return `pass a larger --${TRAIN_SETTINGS.epochs.flag} to continue`;
    case 'DATASET_CHANGED':
      return typed.command === 'train'
        ? 'train without --resume for a new model'
        : typed.command === 'generate'
          ? `or pass --${SAMPLER_SETTING.flag} prior`
          : null;
    case 'DIVERGED':
      return (
        `the learning rate is --${TRAIN_SETTINGS.learningRate.flag} and the gradient clip ` +
        `--${TRAIN_SETTINGS.gradClipNorm.flag} (e.g. --${TRAIN_SETTINGS.gradClipNorm.flag} 500)`
      );
    case 'OUTPUT_EXISTS':
      return 'pass another --out';
    default:
      return null;
  }
}

/**
 * `message` with the CLI's advice for `code` after it, when there is any: after a semicolon, or as a sentence of
 * its own after a message of whole sentences.
 */
export function withCliAdvice(message: string, code: ErrorCode, typed: TypedCommand): string {
  const advice = cliAdvice(code, typed);
  if (!advice) return message;
  const text = message.trimEnd();
  return text.endsWith('.')
    ? `${text} ${advice.charAt(0).toUpperCase()}${advice.slice(1)}.`
    : `${text.replace(/;$/, '')}; ${advice}`;
}
