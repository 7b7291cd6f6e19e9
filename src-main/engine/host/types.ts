/**
 * The vocabulary of a training host: somewhere the engine trains (this process, a hidden renderer, a browser
 * page), what it says about itself, and what one training request carries in and out. Browser-safe: no Node
 * imports, so the compute page and the main side share these types.
 */
import type {
  BackendInfo,
  EpochMetrics,
  EpochPreview,
  ImageBatch,
  NamedArray,
  NativeTraining,
  TrainerState,
  TrainOptions,
  TrainProgress,
  VaeConfig,
} from '../types.js';

/** Where the engine runs: this Node process, Electron's hidden compute renderer, or a browser page. */
export type HostKind = NonNullable<BackendInfo['host']>;

/**
 * Activates the backend a preference asks for ('auto' or undefined: the host's own order) and reports it.
 * Passed into {@link localTrainingHost} so the host itself stays free of Node- or browser-only code.
 */
export type BackendResolver = (preference: string | undefined) => Promise<BackendInfo>;

/**
 * Training steps outside tfjs where this context has them (engine/node's ONNX Runtime under Node): what runs them,
 * in words, and a step runner for one run. Either answers null where tfjs trains. Passed into
 * {@link localTrainingHost} beside the resolver, for the same reason.
 */
export interface NativeTrainingSource {
  runtime(): Promise<string | null>;
  create(config: VaeConfig, freeBits: number): Promise<NativeTraining | null>;
}

/** One training run: everything the engine needs, nothing it would have to read from disk. */
export interface TrainRequest {
  config: VaeConfig;
  options: TrainOptions;
  /**
   * All images, with their class indices for a conditional model (`images.labels`); a remote host takes the
   * pixels' buffer over (transferred where the endpoint can), the labels are copied.
   */
  images: ImageBatch;
  /** Weights to start from (a resumed run); a fresh model seeded by `options.seed` when absent. */
  weights?: NamedArray[];
  /** Where a previous run stopped; `weights` must be that state's weights. */
  state?: TrainerState;
  /** Backend preference for the host's resolver: 'auto' (the default) or a backend name it knows. */
  backend?: string;
}

/** Listeners of one run. */
export interface HostTrainHooks {
  /** Aborting stops the run after the current step; it then resolves with `cancelled: true`. */
  signal?: AbortSignal;
  /** Every few steps (at most every 250 ms, and at each epoch's last step). */
  onProgress?: (progress: TrainProgress) => void;
  /**
   * After each completed epoch, with that epoch's weights (copies the listener may keep); awaited before the
   * next epoch starts, and a throw stops the run with that error.
   */
  onEpoch?: (
    metrics: EpochMetrics,
    preview: EpochPreview,
    state: TrainerState,
    weights: NamedArray[],
  ) => void | Promise<void>;
}

/** What a run resolves to. */
export interface HostTrainResult {
  /** Every completed epoch, including those of the state it resumed. */
  history: EpochMetrics[];
  /** State after the last completed epoch. */
  state: TrainerState;
  /** True when stopped by the signal; `weights` are then those of the last completed epoch. */
  cancelled: boolean;
  /** The model's weights at the end (of the last completed epoch). */
  weights: NamedArray[];
}

/** Somewhere the engine trains. The main side chooses one and never touches the model itself. */
export interface TrainingHost {
  /**
   * Activates the backend `preference` asks for (default 'auto') and says which it is, where it runs and why;
   * the answer's `host` is always set.
   * @throws UserError 'BACKEND_UNAVAILABLE' (or the resolver's own code) when no allowed backend starts.
   */
  describe(preference?: string): Promise<BackendInfo>;
  /**
   * Trains `request.config` on `request.images` from `request.state` up to `request.options.epochs`.
   * @throws UserError for an invalid request ('INVALID_CONFIG', 'DATASET_MISMATCH', 'CHECKPOINT_MISMATCH', …),
   *   'DIVERGED', or 'HOST_CLOSED' when a remote host goes away mid-run.
   */
  train(request: TrainRequest, hooks?: HostTrainHooks): Promise<HostTrainResult>;
}
