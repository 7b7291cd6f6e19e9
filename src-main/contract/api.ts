/**
 * The API the renderer sees, derived from the contract: `api.training.start(input)` for request
 * 'training.start', `api.training.onProgress(listener)` for event 'training.progress'. The same builder runs in
 * the Electron preload (over ipcRenderer) and in browser mode (over a WebSocket), so both hosts expose exactly
 * the same object.
 */
import type { ApiResult } from './define.js';
import { eventNames, type EventName, type EventPayload } from './events.js';
import { requestNames, type RequestInput, type RequestName, type RequestResult } from './requests.js';

/** Stops a subscription. */
export type Unsubscribe = () => void;

/** What a host must provide: send a request, listen to an event. */
export interface Transport {
  invoke(name: RequestName, input: unknown): Promise<ApiResult<unknown>>;
  subscribe(name: EventName, listener: (payload: unknown) => void): Unsubscribe;
}

type Namespace<N extends string> = N extends `${infer NS}.${string}` ? NS : never;
type Member<N extends string> = N extends `${string}.${infer M}` ? M : never;

type RequestMethods<NS extends string> = {
  // `{} extends Input` is true exactly when every field may be left out, so the argument becomes optional.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  [N in RequestName as Namespace<N> extends NS ? Member<N> : never]: {} extends RequestInput<N>
    ? (input?: RequestInput<N>) => Promise<ApiResult<RequestResult<N>>>
    : (input: RequestInput<N>) => Promise<ApiResult<RequestResult<N>>>;
};

type EventMethods<NS extends string> = {
  [N in EventName as Namespace<N> extends NS ? `on${Capitalize<Member<N>>}` : never]: (
    listener: (payload: EventPayload<N>) => void,
  ) => Unsubscribe;
};

/** `window.vaeApi`: one namespace per area, each with its requests and its `on…` subscriptions. */
export type VaeApi = {
  [NS in Namespace<RequestName> | Namespace<EventName>]: RequestMethods<NS> & EventMethods<NS>;
};

/** The method name an event gets: 'training.progress' → ['training', 'onProgress']. */
export function eventMethodName(name: EventName): [string, string] {
  const [ns, member] = splitName(name);
  return [ns, `on${member.charAt(0).toUpperCase()}${member.slice(1)}`];
}

/** Builds the API object over a transport. */
export function buildApi(transport: Transport): VaeApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const name of requestNames) {
    const [ns, member] = splitName(name);
    (api[ns] ??= {})[member] = (input: unknown = {}) => transport.invoke(name, input);
  }
  for (const name of eventNames) {
    const [ns, method] = eventMethodName(name);
    (api[ns] ??= {})[method] = (listener: (payload: unknown) => void) => transport.subscribe(name, listener);
  }
  return api as unknown as VaeApi;
}

function splitName(name: string): [string, string] {
  const dot = name.indexOf('.');
  return [name.slice(0, dot), name.slice(dot + 1)];
}
