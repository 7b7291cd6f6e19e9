/**
 * The words a person gets for a failure nobody expected (a bug): what happened in one line, that it is logged,
 * and what to do; never a stack, an errno code or a class name. Browser-safe: the preload uses it too.
 */

/** Longest cause quoted from a bug's own message. */
const MAX_CAUSE = 200;

/**
 * The message of an unexpected failure while `doing` (a request's or a job's name in words, or none): its cause's
 * first line, without Node's `EXXX:` prefix or an error class name.
 */
export function unexpectedMessage(err: unknown, doing?: string): string {
  const raw = err instanceof Error ? err.message : String(err);
  const firstLine = raw.split('\n')[0]!.trim();
  const cause = firstLine
    .replace(/^(?:[A-Z][A-Za-z]*Error|E[A-Z0-9]{2,}):\s*/, '')
    .slice(0, MAX_CAUSE)
    .replace(/[.\s]+$/, '');
  const what = doing ? `${doing} failed unexpectedly` : 'Something failed unexpectedly';
  return `${what}${cause ? ` (${cause})` : ''}. This is a fault in VAE Studio and has been logged; try again, and restart VAE Studio if it keeps happening.`;
}
