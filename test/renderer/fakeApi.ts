/**
 * A fake `VaeApi` for renderer tests: `buildApi` over a transport that records every request, answers from
 * per-test handlers (or harmless defaults), and lets the test emit events as the main side would.
 */
import { createApp, type App } from 'vue';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import {
  buildApi,
  type ApiResult,
  type ErrorCode,
  type EventName,
  type EventPayload,
  type RequestInput,
  type RequestName,
  type RequestResult,
  type Transport,
  type Unsubscribe,
  type VaeApi,
} from '../../src-renderer/src/api/contract';
import { apiKey } from '../../src-renderer/src/api/inject';
import { routeEvents } from '../../src-renderer/src/stores';
import { backendInfo } from './fixtures';

type Answer<N extends RequestName> = ApiResult<RequestResult<N>> | Promise<ApiResult<RequestResult<N>>>;
type Handler<N extends RequestName> = (input: RequestInput<N>) => Answer<N>;
type AnyHandler = (input: unknown) => ApiResult<unknown> | Promise<ApiResult<unknown>>;

export const ok = <T>(value: T): ApiResult<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string): ApiResult<never> => ({ ok: false, code, message });

export interface FakeApi {
  api: VaeApi;
  calls: { name: RequestName; input: unknown }[];
  /** Answers `name` with `handler` from now on. */
  on<N extends RequestName>(name: N, handler: Handler<N>): void;
  /** The inputs of every call of `name`, in order. */
  inputsOf<N extends RequestName>(name: N): RequestInput<N>[];
  emit<N extends EventName>(name: N, payload: EventPayload<N>): void;
  listenerCount(name: EventName): number;
}

/** Items 0..count-1 of a flat dataset (one class folder 'a' for even, 'b' for odd indices). */
export function datasetItems(offset: number, limit: number, count: number, label?: string) {
  const all = Array.from({ length: count }, (_, index) => ({
    index,
    path: `${index % 2 ? 'b' : 'a'}/img-${index}.png`,
    label: index % 2 ? 'b' : 'a',
  }));
  const chosen = label === undefined ? all : all.filter((i) => i.label === label);
  return { total: chosen.length, items: chosen.slice(offset, offset + limit) };
}

export function createFakeApi(options: { datasetCount?: number } = {}): FakeApi {
  const calls: FakeApi['calls'] = [];
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const handlers = new Map<RequestName, AnyHandler>();
  const defaults: Partial<Record<RequestName, AnyHandler>> = {
    'app.info': () =>
      ok({
        version: '0.1.0',
        host: 'browser',
        platform: 'linux',
        projectsDir: '/home/ada/vae-projects',
        nativeDialogs: false,
        openPath: false,
      }),
    'project.current': () => ok(null),
    'project.recent': () => ok([]),
    'training.status': () => ok({ running: null, run: null, progress: null, history: [], previews: null }),
    'backend.info': () => ok(backendInfo()),
    'job.list': () => ok([]),
    'dataset.list': (input) => {
      const { offset = 0, limit = 500, label } = input as RequestInput<'dataset.list'>;
      return ok(datasetItems(offset, limit, options.datasetCount ?? 0, label));
    },
    'dataset.thumbnails': (input) =>
      ok(
        (input as { indices: number[] }).indices.map((index) => ({
          index,
          url: `data:image/png;base64,${index}`,
        })),
      ),
  };
  const transport: Transport = {
    invoke(name, input) {
      calls.push({ name, input });
      const handler = handlers.get(name) ?? defaults[name];
      return Promise.resolve(
        handler ? handler(input) : fail('UNSUPPORTED', `the fake has no answer for ${name}`),
      );
    },
    subscribe(name, listener): Unsubscribe {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  return {
    api: buildApi(transport),
    calls,
    on(name, handler) {
      handlers.set(name, handler as AnyHandler);
    },
    inputsOf<N extends RequestName>(name: N) {
      return calls.filter((c) => c.name === name).map((c) => c.input as RequestInput<N>);
    },
    emit(name, payload) {
      for (const listener of [...(listeners.get(name) ?? [])]) listener(payload);
    },
    listenerCount(name) {
      return listeners.get(name)?.size ?? 0;
    },
  };
}

/**
 * An app with the fake API provided, Pinia installed and active, and the event router subscribed — as main.ts
 * sets things up. Mount components with `global: { plugins: [pinia], provide: { [apiKey]: fake.api } }`.
 */
export function installStores(fake: FakeApi): { app: App; pinia: Pinia; unsubscribe: Unsubscribe } {
  const app = createApp({});
  app.provide(apiKey, fake.api);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  const unsubscribe = app.runWithContext(() => routeEvents(fake.api));
  return { app, pinia, unsubscribe };
}

/** Mount options that give a component the same Pinia and API. */
export function mountOptions(fake: FakeApi, pinia: Pinia) {
  return { global: { plugins: [pinia], provide: { [apiKey as symbol]: fake.api } } };
}

/** Lets pending promises (fake answers, store updates) settle. */
export function settle(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise the test resolves by hand, to look at state while a request is in flight. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export { apiKey };
