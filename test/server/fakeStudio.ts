import {
  BOUNDARY_CODES,
  describeZodError,
  requests,
  type ApiResult,
  type EventName,
  type EventPayload,
} from '../../src-main/contract/index.js';
import type { Studio, StudioListener } from '../../src-main/studio/types.js';

type Handler = (input: unknown) => Promise<ApiResult<unknown>> | ApiResult<unknown>;

/**
 * A Studio that validates input against the contract like the real one and answers from `handlers`
 * (`app.info` by default); tests emit events through it and read what it was asked.
 */
export function fakeStudio(
  handlers: Record<string, Handler> = {},
  /** What `outputFolder` answers (the zip download's check); default: no output folders at all. */
  outputFolder: (path: string) => Promise<ApiResult<string>> = (path) =>
    Promise.resolve({ ok: false, code: 'NOT_AN_OUTPUT', message: `fake: ${path} is no output folder` }),
) {
  const listeners = new Set<StudioListener>();
  const calls: { name: string; input: unknown }[] = [];
  const state = { shutdowns: 0 };
  const all: Record<string, Handler> = {
    'app.info': () => ({
      ok: true,
      value: {
        version: '9.9.9',
        host: 'browser',
        platform: 'test',
        projectsDir: '/p',
        nativeDialogs: false,
        openPath: false,
      },
    }),
    ...handlers,
  };
  const studio: Studio = {
    async invoke(name, input) {
      calls.push({ name, input });
      // Own names only, as the real studio: `__proto__` or `toString` is no request.
      const spec = Object.hasOwn(requests, name)
        ? (requests as Record<string, (typeof requests)[keyof typeof requests]>)[name]
        : undefined;
      if (!spec)
        return { ok: false, code: BOUNDARY_CODES.unknownRequest, message: `unknown request ${name}` };
      const parsed = spec.input.safeParse(input);
      if (!parsed.success) {
        return { ok: false, code: BOUNDARY_CODES.invalidInput, message: describeZodError(parsed.error) };
      }
      const handler = all[name];
      if (!handler) return { ok: false, code: BOUNDARY_CODES.unsupported, message: `fake: no ${name}` };
      return handler(parsed.data);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    outputFolder,
    shutdown() {
      state.shutdowns += 1;
      return Promise.resolve();
    },
  };
  return {
    studio,
    calls,
    state,
    listenerCount: () => listeners.size,
    emit<N extends EventName>(name: N, payload: EventPayload<N>) {
      for (const listener of listeners) listener(name, payload);
    },
  };
}
