import type { OptionReader, OptionSpecs } from './args.js';
import type { Reporter } from './reporter.js';

/** Shared options of the commands that run a model. */
export const BACKEND_OPTION = {
  backend: {
    type: 'string',
    value: 'auto|tensorflow|webgpu|wasm|cpu',
    help: 'compute backend (auto: CUDA tfjs-node-gpu → tfjs-node → WebGPU on a hardware GPU → wasm → cpu)',
    default: 'auto',
  },
} as const satisfies OptionSpecs;

export const BACKENDS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

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
