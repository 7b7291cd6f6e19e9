import { BACKEND_SETTING, type BackendPreference } from '../contract/index.js';
import type { OptionReader, OptionSpecs } from './args.js';
import { readSetting, settingOptions } from './settingOptions.js';
import type { Reporter } from './reporter.js';

/** Shared options of the commands that run a model. */
export const BACKEND_OPTION = settingOptions({ backend: BACKEND_SETTING });

/** The `--backend` the user typed, 'auto' when none. */
export function readBackend(options: OptionReader): BackendPreference {
  return (readSetting(options, BACKEND_SETTING) as BackendPreference | undefined) ?? BACKEND_SETTING.default;
}

/** What a command gets when it runs. */
export interface CommandContext {
  options: OptionReader;
  reporter: Reporter;
  signal: AbortSignal;
}

/** One `vae-studio <name>` command. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Positional part of the usage line, e.g. "<folder> --project <dir>". */
  usage: string;
  options: OptionSpecs;
  run(ctx: CommandContext): Promise<void>;
}
