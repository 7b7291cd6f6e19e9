/**
 * Every code an expected failure can carry, from a `UserError` thrown anywhere on the main side to an
 * `ApiFailure` the boundary answers with. The code is for code (the UI branches on it); the message is for a
 * person. No imports: the engine, the renderer and the preload all compile it.
 */
export const ERROR_CODES = [
  // The boundary: the request itself, the connection, the app's life.
  /** The request name is not in the contract. */
  'UNKNOWN_REQUEST',
  /** A request's input failed its schema or a job's own check; the message names the field. */
  'INVALID_INPUT',
  /** A job of this kind (or one that conflicts with it) is already running, or browser mode's server is at its
   * limit of concurrent image-heavy requests. */
  'BUSY',
  /** The request needs an open project, or the folder holds none. */
  'NO_PROJECT',
  /** This host cannot do it (e.g. a native dialog in browser mode). */
  'UNSUPPORTED',
  /** A thrown error that was not expected: a bug, reported with its message. */
  'INTERNAL',
  /** The connection to the main side was lost. */
  'DISCONNECTED',
  /** Browser mode: the token is missing or wrong. */
  'UNAUTHORIZED',
  /** A request arrived while the studio was closing. */
  'SHUTTING_DOWN',
  /** The job was cancelled by the user; a clean stop, not a failure. */
  'CANCELLED',

  // Files and folders.
  /** A file or folder the request names does not exist. */
  'NOT_FOUND',
  /** The path is a file where a folder is needed. */
  'NOT_A_FOLDER',
  /** A file or folder exists but cannot be read (permissions, I/O). */
  'UNREADABLE',
  /** A folder cannot be created where the request asks (a pseudo-filesystem such as /proc, permissions). */
  'NOT_WRITABLE',
  /** An uploaded file cannot be written where it should go. */
  'FILE_EXISTS',
  /** The output folder already holds a file the job would write; nothing was overwritten. */
  'OUTPUT_EXISTS',
  /** The project file is not valid JSON. */
  'BAD_PROJECT',
  /** Another process (or job) is writing the project's dataset or model; the message names it. */
  'PROJECT_BUSY',
  /** The disk (or the user's quota on it) is full; the message says what was being written and what is kept. */
  'DISK_FULL',
  /** Something is already where a file or folder would be made (e.g. `--out` names a file). */
  'PATH_EXISTS',
  /** The path is on a read-only disk. */
  'READ_ONLY',
  /** The user may not read or write the path (its permissions or the system's). */
  'PERMISSION_DENIED',
  /** A file name or path is longer than the file system allows. */
  'NAME_TOO_LONG',
  /** The path is a folder where a file is needed. */
  'IS_A_FOLDER',
  /** Another program holds the file or folder. */
  'IN_USE',
  /** Too many files are open at once (the process's or the system's limit). */
  'TOO_MANY_FILES',
  /** The disk failed to read or write (an I/O error), or another file-system failure the message describes. */
  'IO_ERROR',

  // Datasets and images.
  /** An import found no image in the folder. */
  'NO_IMAGES',
  /** The images of an import would not fit in memory at the chosen size. */
  'TOO_LARGE',
  /** One file of an import is not an image sharp can read (the import skips it and reports why). */
  'NOT_AN_IMAGE',
  /** One file of an import has more pixels than the decoder's limit. */
  'TOO_MANY_PIXELS',
  /** One file of an import is corrupt or truncated. */
  'CORRUPT_IMAGE',
  /** One file of an import is empty. */
  'EMPTY_FILE',
  /** An image file given as an input (e.g. an interpolation end) cannot be decoded. */
  'BAD_IMAGE',
  /** The project has no imported dataset yet. */
  'NO_DATASET',
  /** There are no images to train on. */
  'DATASET_EMPTY',
  /** The dataset cache is truncated or unreadable; import again. */
  'CORRUPT_DATASET',
  /** The dataset was re-imported at another size or channel count than the checkpoint was trained on. */
  'DATASET_CHANGED',
  /** The images handed to the trainer do not match the model's input shape. */
  'DATASET_MISMATCH',
  /** An option of an image or dataset helper is out of range (size, channels, format, fit…). */
  'BAD_OPTION',

  // Models, checkpoints and training.
  /** The project has no trained model yet. */
  'NO_MODEL',
  /** An import would replace the dataset of a trained model; the request must say the user agreed. */
  'REPLACES_MODEL',
  /** The checkpoint's files are missing, unreadable or not a VAE Studio checkpoint. */
  'BAD_CHECKPOINT',
  /** A checkpoint's tensors or optimizer state do not fit the model (missing, twice, wrong shape). */
  'CHECKPOINT_MISMATCH',
  /** A model config or training option is out of bounds; the message names the field. */
  'INVALID_CONFIG',
  /** Resuming asked for no more epochs than the model has already trained. */
  'ALREADY_DONE',
  /** The loss or a gradient became NaN or infinite. */
  'DIVERGED',
  /** A generation that leaves out near-copies of training images drew its limit of images before it had the
   * count asked for; the images it wrote are kept and listed. */
  'TOO_MANY_COPIES',

  // Backends and hosts.
  /** No backend allowed by the preference could be started. */
  'BACKEND_UNAVAILABLE',
  /** `VAE_STUDIO_BACKEND` or the wasm thread count holds a value that is not allowed. */
  'BACKEND_INVALID',
  /** The training host (e.g. the compute page) closed or its port went away. */
  'HOST_CLOSED',
  /** A training host got a request it cannot read. */
  'INVALID_REQUEST',
  /** The caller of a served training run stopped it after an epoch. */
  'CANCELLED_BY_CALLER',
  /** The job worker's built file is missing; run `npm run build`. */
  'WORKER_MISSING',

  // Browser mode's server and the CLI.
  /** The access token given to `serve` uses characters a URL cannot carry plainly. */
  'INVALID_TOKEN',
  /** `serve --no-token` was asked for on an address other machines can reach. */
  'NO_TOKEN_OFF_LOOPBACK',
  /** The server's port is taken by another process. */
  'PORT_IN_USE',
  /** The server may not listen on that port (a privileged one). */
  'PORT_NOT_ALLOWED',
  /** The server's host address does not belong to this machine. */
  'ADDRESS_NOT_AVAILABLE',
  /** The vae-studio package folder (its package.json) cannot be found. */
  'NOT_INSTALLED',

  // The benchmarks.
  /** The parity dataset did not import or evaluate to the expected number of images. */
  'PARITY_DATA',
  /** The PyTorch peer printed nothing, or a last line that is not JSON. */
  'PEER_OUTPUT',
  /** The suite's own training run in a child process (`vae-studio bench --arch … --json`) failed or printed no result. */
  'BENCH_CHILD',
] as const;

/** One of {@link ERROR_CODES}: what a `UserError` and an `ApiFailure` carry, so a typo is a compile error. */
export type ErrorCode = (typeof ERROR_CODES)[number];
