import { watch } from 'vue';

/**
 * Keeps state that belongs to the project it was typed in (a folder to import, an output folder, the two
 * images of an interpolation): when the open project changes, the old project's values are put aside and the
 * new project's come back, or `restore(null)` sets what a project starts with. Nothing typed for one project
 * is ever sent for another.
 */
export function keepPerProject<T>(
  root: () => string | null | undefined,
  snapshot: () => T,
  restore: (saved: T | null) => void,
): void {
  const saved = new Map<string, T>();
  watch(
    root,
    (next, previous) => {
      if (next === previous) return;
      if (previous) saved.set(previous, snapshot());
      restore(next ? (saved.get(next) ?? null) : null);
    },
    // Synchronously, before anything else reacts to the new project (such as the dataset's own options).
    { flush: 'sync' },
  );
}
