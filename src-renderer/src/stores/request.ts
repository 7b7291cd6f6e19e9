import { ref } from 'vue';
import type { ApiFailure, ApiResult } from '../api/contract';

/** Shows a failure to the user (the app store's notices). */
export type Notify = (title: string, failure: Pick<ApiFailure, 'code' | 'message'>) => void;

/**
 * The request bookkeeping every store shares: how many requests are in flight, the last failure's message, and a
 * notice for each failure. A thrown error (a bug, or a transport that broke its promise) becomes an INTERNAL
 * failure so the UI never sees an unhandled rejection.
 */
export function createRequester(notify: Notify) {
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
      result = { ok: false, code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
    } finally {
      if (track) pending.value -= 1;
    }
    if (result.ok) {
      if (track) error.value = null;
    } else {
      error.value = result.message;
      if (!options.quiet) notify(title, result);
    }
    return result;
  }

  return { pending, error, request };
}
