import type { ApiResult, EventName, EventPayload, RequestName, Unsubscribe } from '../contract/index.js';
import type { BackendPreference } from '../engine/node/index.js';
import type { JobRunner } from '../worker/runner.js';

/** Anything that hears every event the studio sends (the Electron window, each WebSocket client, a test). */
export type StudioListener = <N extends EventName>(name: N, payload: EventPayload<N>) => void;

/** What only the host can do: native dialogs, the OS file manager, notifications. Absent = unsupported. */
export interface ShellServices {
  pickFolder?(title?: string): Promise<string | null>;
  pickImage?(title?: string): Promise<string | null>;
  openPath?(path: string): Promise<boolean>;
  /** A desktop notification when a long job ends. */
  notify?(title: string, body: string): void;
}

export interface StudioOptions {
  host: 'electron' | 'browser';
  version: string;
  /** Where recent.json (recent projects) is kept, e.g. Electron's userData or ~/.config/vae-studio. */
  stateDir: string;
  /** Default parent folder of new projects. */
  projectsDir: string;
  /** Where jobs run; defaults to a worker_threads runner. */
  runner?: JobRunner;
  shell?: ShellServices;
  /** Reopen the last project on start. */
  reopenLast?: boolean;
  /**
   * Backend of the jobs whose request names none (resume, generation, interpolation) and what 'auto' means in
   * `training.start` and `backend.info`. Default 'auto' (which VAE_STUDIO_BACKEND may override in the worker).
   */
  backend?: BackendPreference;
}

/**
 * The main side's services behind the contract: one current project, its jobs and their events. Every boundary
 * (Electron IPC, WebSocket server, tests) talks to it through `invoke` and `subscribe` only.
 */
export interface Studio {
  /** Validates the input against the contract and runs the handler; never throws. */
  // The union says where names come from; any other string is answered with UNKNOWN_REQUEST.
  // eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents
  invoke(name: RequestName | string, input: unknown): Promise<ApiResult<unknown>>;
  subscribe(listener: StudioListener): Unsubscribe;
  /**
   * Browser mode's download (server/zipDownload.ts): the real path of an output folder of the current project
   * (inside its generated/ or interpolations/ folder) that `path` names; never throws.
   */
  outputFolder(path: string): Promise<ApiResult<string>>;
  /** Cancels running jobs and waits for them to stop (checkpoints and written files are kept). */
  shutdown(): Promise<void>;
}
