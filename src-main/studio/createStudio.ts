import {
  BOUNDARY_CODES,
  describeZodError,
  requests,
  type ApiResult,
  type EmitEvent,
  type ErrorCode,
  type RequestName,
} from '../contract/index.js';
import { CancelledError, UserError } from '../util/errors.js';
import { fsFailure } from '../util/fsErrors.js';
import { ThreadRunner } from '../worker/threadRunner.js';
import { log } from '../util/log.js';
import { unexpectedMessage } from '../util/unexpected.js';
import type { StudioContext } from './context.js';
import { CurrentProject } from './currentProject.js';
import { DatasetCache } from './datasetCache.js';
import { registerAppHandlers } from './handlers/appHandlers.js';
import { registerBackendHandlers } from './handlers/backendHandlers.js';
import { registerDatasetHandlers } from './handlers/datasetHandlers.js';
import { registerGenerationHandlers } from './handlers/generationHandlers.js';
import { registerInterpolationHandlers } from './handlers/interpolationHandlers.js';
import { registerJobHandlers } from './handlers/jobHandlers.js';
import { registerMapHandlers } from './handlers/mapHandlers.js';
import { registerModelHandlers } from './handlers/modelHandlers.js';
import { registerProjectHandlers } from './handlers/projectHandlers.js';
import { registerQualityHandlers } from './handlers/qualityHandlers.js';
import { registerOutliersHandlers } from './handlers/outliersHandlers.js';
import { registerExplorerHandlers } from './handlers/explorerHandlers.js';
import { registerShellHandlers } from './handlers/shellHandlers.js';
import { registerTrainingHandlers } from './handlers/trainingHandlers.js';
import type { Handler, Handlers } from './handlers/types.js';
import { forwardJobEvent } from './jobEvents.js';
import { JobRegistry } from './jobRegistry.js';
import { resolveOutputFolder } from './outputFolders.js';
import { readProjectSummary } from './projectSummary.js';
import { RecentProjects } from './recentProjects.js';
import type { Studio, StudioListener, StudioOptions } from './types.js';

/**
 * Creates the main side's service behind the contract. Jobs run in `options.runner` (default: one
 * `worker_threads` Worker per job); with `reopenLast`, the newest recent project that still exists is opened.
 */
export async function createStudio(options: StudioOptions): Promise<Studio> {
  const listeners = new Set<StudioListener>();
  const emit: EmitEvent = (name, payload) => {
    for (const listener of listeners) {
      try {
        listener(name, payload);
      } catch (err) {
        log.error('studio', `a listener of ${name} threw`, err);
      }
    }
  };
  const runner = options.runner ?? new ThreadRunner();
  const project = new CurrentProject();
  const ctx: StudioContext = {
    options,
    runner,
    emit,
    project,
    jobs: new JobRegistry(runner, emit, (job, event) => forwardJobEvent(ctx, job, event)),
    recent: new RecentProjects(options.stateDir),
    datasets: new DatasetCache(),
    backend: options.backend ?? 'auto',
    projectChanged: async (root) => {
      if (!project.isCurrent(root)) return;
      try {
        emit('project.changed', await readProjectSummary(root));
      } catch (err) {
        log.error('studio', `cannot read ${root} after a change`, err);
      }
    },
    notify: (title, body) => {
      try {
        options.shell?.notify?.(title, body);
      } catch (err) {
        log.error('studio', 'notification failed', err);
      }
    },
  };
  const handlers: Handlers = {
    ...registerAppHandlers(ctx),
    ...registerBackendHandlers(ctx),
    ...registerProjectHandlers(ctx),
    ...registerDatasetHandlers(ctx),
    ...registerTrainingHandlers(ctx),
    ...registerGenerationHandlers(ctx),
    ...registerModelHandlers(ctx),
    ...registerInterpolationHandlers(ctx),
    ...registerQualityHandlers(ctx),
    ...registerOutliersHandlers(ctx),
    ...registerExplorerHandlers(ctx),
    ...registerMapHandlers(ctx),
    ...registerJobHandlers(ctx),
    ...registerShellHandlers(ctx),
  };
  if (options.reopenLast) await reopenLast(ctx);

  let closing = false;
  return {
    invoke: async (name, input) => {
      if (closing) return failure(BOUNDARY_CODES.shuttingDown, 'VAE Studio is shutting down');
      return invoke(handlers, name, input);
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    outputFolder: (path) => answer(() => resolveOutputFolder(ctx, path), 'outputFolder'),
    shutdown: async () => {
      closing = true;
      await ctx.jobs.cancelAll();
      await runner.shutdown();
    },
  };
}

/** Validates, dispatches and turns every failure into data: the boundary never sees a thrown error. */
async function invoke(handlers: Handlers, name: string, input: unknown): Promise<ApiResult<unknown>> {
  if (!Object.hasOwn(requests, name)) {
    return failure(BOUNDARY_CODES.unknownRequest, `unknown request ${JSON.stringify(name)}`);
  }
  const request = name as RequestName;
  const parsed = requests[request].input.safeParse(input ?? {});
  if (!parsed.success) return failure(BOUNDARY_CODES.invalidInput, describeZodError(parsed.error));
  const handler: Handler<RequestName> = handlers[request];
  return answer(() => handler(parsed.data), request);
}

/** Runs `work` and turns what it throws into data: an expected failure's code, or INTERNAL for a bug (logged). */
async function answer<T>(work: () => Promise<T>, what: string): Promise<ApiResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (thrown) {
    const err = fsFailure(thrown);
    if (err instanceof UserError || err instanceof CancelledError) return failure(err.code, err.message);
    log.error('studio', `${what} failed`, err);
    return failure(BOUNDARY_CODES.internal, unexpectedMessage(err));
  }
}

function failure(code: ErrorCode, message: string): ApiResult<never> {
  return { ok: false, code, message };
}

async function reopenLast(ctx: StudioContext): Promise<void> {
  const last = (await ctx.recent.list()).find((entry) => entry.exists);
  if (!last) return;
  try {
    ctx.project.set((await readProjectSummary(last.path)).root);
  } catch (err) {
    log.error('studio', `cannot reopen ${last.path}`, err);
  }
}
