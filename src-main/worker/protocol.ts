/**
 * Messages between the main side and a job worker (a `worker_threads` Worker under Node, an Electron
 * `utilityProcess` in the desktop app). One worker runs one job: the parent sends `run`, may send `cancel`, and
 * the worker answers with any number of `event`s and then exactly one `done` or `failed`.
 */
import type {
  JobEvent,
  GenerateJobInput,
  GenerateJobResult,
  ImportJobInput,
  ImportJobResult,
  InterpolateJobInput,
  InterpolateJobResult,
  InterpolatePreviewJobInput,
  InterpolatePreviewJobResult,
  MapJobInput,
  QualityJobInput,
  ReconstructJobInput,
  ReconstructJobResult,
  TrainJobInput,
  TrainJobResult,
  OutliersJobInput,
  OutliersJobResult,
  TraverseJobInput,
  TraverseJobResult,
  ExplorerJobInput,
} from '../jobs/index.js';
import type { MapResult, QualityReport } from '../contract/index.js';
import type { BackendInfo } from '../engine/index.js';
import type { BackendPreference } from '../engine/node/index.js';
import type { ErrorData } from '../util/errorData.js';

/** Every job a worker can run: its input and its result. */
export interface WorkerJobs {
  import: { input: ImportJobInput; result: ImportJobResult };
  train: { input: TrainJobInput; result: TrainJobResult };
  generate: { input: GenerateJobInput; result: GenerateJobResult };
  interpolate: { input: InterpolateJobInput; result: InterpolateJobResult };
  quality: { input: QualityJobInput; result: QualityReport };
  'interpolate-preview': { input: InterpolatePreviewJobInput; result: InterpolatePreviewJobResult };
  reconstruct: { input: ReconstructJobInput; result: ReconstructJobResult };
  outliers: { input: OutliersJobInput; result: OutliersJobResult };
  traverse: { input: TraverseJobInput; result: TraverseJobResult };
  /** Runs until cancelled, answering the latent explorer's questions (RunningJob.ask). */
  explorer: { input: ExplorerJobInput; result: { answered: number } };
  map: { input: MapJobInput; result: MapResult };
  'backend-info': { input: { preference: BackendPreference }; result: BackendInfo };
}
export type WorkerJobKind = keyof WorkerJobs;

/**
 * Parent → worker. A `run` may come with a training port (a MessagePort whose far end serves training, e.g.
 * Electron's hidden compute renderer): a worker_threads parent puts it in `trainingPort` and transfers it, an
 * Electron parent sends it as the message's one transferred port. The `train` job then trains there and
 * `backend-info` describes that host; the other jobs ignore it.
 */
export type ToWorker =
  | { type: 'run'; kind: WorkerJobKind; input: unknown; trainingPort?: unknown }
  | { type: 'cancel' }
  /** A question to a running long-lived job (the latent explorer's); answered by an `answer` with its id. */
  | { type: 'ask'; id: number; question: unknown };

/** Worker → parent. Errors cross as data ({@link ErrorData}): a UserError's code, 'CANCELLED', or a bug's stack. */
export type FromWorker =
  | { type: 'event'; event: JobEvent }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; error: ErrorData }
  | { type: 'answer'; id: number; value?: unknown; error?: ErrorData };
