import { ref } from 'vue';
import type { ApiFailure, ApiResult } from '../api/contract';

/** Shows a failure to the user (the app store's notices), filed under `action` (default: the title). */
export type Notify = (title: string, failure: Pick<ApiFailure, 'code' | 'message'>, action?: string) => void;

/** Where a store's failures go, and how a later success takes a stale one down: the app store. */
export interface NoticeSink {
  notify: Notify;
  /** Takes down the notices filed under `action` (it has just succeeded). */
  clearNotices(action: string): void;
}

/**
 * The request bookkeeping every store shares: how many requests are in flight, the last failure's message, and a
 * notice for each failure, which the next success of the same request takes down. A thrown error (a bug, or a
 * transport that broke its promise) becomes an INTERNAL failure in words so the UI never sees an unhandled
 * rejection.
 */
export function createRequester(notices: NoticeSink) {
  const pending = ref(0);
  const error = ref<string | null>(null);

  async function request<T>(
    title: string,
    call: () => Promise<ApiResult<T>>,
    options: { quiet?: boolean; track?: boolean } = {},
  ): Promise<ApiResult<T>> {
    const track = options.track ?? true;
    if (track) pending.value += 1;
    let result: ApiResult<T>;
    try {
      result = await call();
    } catch (e) {
      const cause = e instanceof Error ? e.message : String(e);
      result = { ok: false, code: 'INTERNAL', message: `the app could not complete this (${cause})` };
    } finally {
      if (track) pending.value -= 1;
    }
    if (result.ok) {
      if (track) error.value = null;
      notices.clearNotices(title);
    } else {
      error.value = result.message;
      if (!options.quiet) notices.notify(title, result);
    }
    return result;
  }

  return { pending, error, request };
}
