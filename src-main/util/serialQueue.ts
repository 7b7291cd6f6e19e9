/**
 * A queue that runs async work one piece at a time, in call order; a failure does not stop what comes after.
 * Browser-safe. Used where each piece switches a process-wide state (tfjs's one active backend).
 */
export function serialQueue(): <T>(work: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };
}
