import type { RequestName, RequestParsed, RequestResult } from '../../contract/index.js';

/** The handler of request N: its input is already validated and has its defaults. */
export type Handler<N extends RequestName> = (input: RequestParsed<N>) => Promise<RequestResult<N>>;

/** One handler per request of the contract; a missing one is a compile error. */
export type Handlers = { [N in RequestName]: Handler<N> };

/** The handlers of one namespace, e.g. `HandlersOf<'dataset'>` for every `dataset.*` request. */
export type HandlersOf<NS extends string> = { [N in Extract<RequestName, `${NS}.${string}`>]: Handler<N> };
