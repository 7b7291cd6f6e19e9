/**
 * Browser mode's transport: the contract over one WebSocket to `vae-studio serve`. Invokes wait for the socket
 * to open and are paired with their results by id; a lost connection answers what was waiting with DISCONNECTED
 * and reconnects with backoff; subscriptions live here, not on the socket, so they outlast reconnects.
 *
 * Typed against a minimal socket interface rather than the DOM's, so the same file compiles in the renderer and
 * in Node tests (which pass `ws`'s WebSocket).
 */
import {
  BOUNDARY_CODES,
  type ApiFailure,
  type ApiResult,
  type EventName,
  type RequestName,
  type Transport,
  type Unsubscribe,
} from './contract.js';
// The wire format is browser mode's alone, so the contract's door (and so ./contract) does not re-export it.
import {
  TOKEN_PARAM,
  WIRE_PATH,
  encodeMessage,
  parseServerMessage,
  type InvokeId,
} from '../../../src-main/contract/wire.js';

/** The part of a WebSocket this transport uses; the DOM's WebSocket and `ws`'s both have it. */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** A WebSocket class, such as the browser's `WebSocket` or `ws`'s. */
export type WebSocketConstructor = new (url: string) => SocketLike;

/** The connection's state, as a status indicator shows it. */
export type ConnectionStatus = 'connecting' | 'open' | 'closed';

export interface WebSocketTransportOptions {
  /** Default: `ws(s)://<location.host>/ws`, with `?token=` when the page's address has one. */
  url?: string;
  /** Default: the global `WebSocket`. */
  WebSocketImpl?: WebSocketConstructor;
  /** Delay before the first reconnect, doubled after each failure up to `maxDelayMs`. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
}

/** A transport that can also be closed for good and watched. */
export interface WebSocketTransport extends Transport {
  /** Closes the socket and stops reconnecting; waiting invokes get DISCONNECTED. */
  close(): void;
  /** Calls `listener` with the current status now and on every change. */
  onStatus(listener: (status: ConnectionStatus) => void): Unsubscribe;
}

const DISCONNECTED: ApiFailure = {
  ok: false,
  code: BOUNDARY_CODES.disconnected,
  message: 'lost the connection to the VAE Studio server; reconnecting…',
};
const CLOSED: ApiFailure = {
  ok: false,
  code: BOUNDARY_CODES.disconnected,
  message: 'the connection to the VAE Studio server was closed',
};

interface PendingInvoke {
  resolve: (result: ApiResult<unknown>) => void;
  /** The frame, until it has been sent. */
  unsent: string | null;
}

/** Connects to the server (at once) and returns the transport to build the API on: `buildApi(transport)`. */
export function createWebSocketTransport(options: WebSocketTransportOptions = {}): WebSocketTransport {
  const url = options.url ?? defaultUrl();
  const WebSocketImpl = options.WebSocketImpl ?? globalWebSocket();
  const initialDelay = options.reconnect?.initialDelayMs ?? 250;
  const maxDelay = options.reconnect?.maxDelayMs ?? 5000;

  const pending = new Map<InvokeId, PendingInvoke>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const statusListeners = new Set<(status: ConnectionStatus) => void>();
  let status: ConnectionStatus = 'connecting';
  let socket: SocketLike | null = null;
  let nextId = 1;
  let failures = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let closedForGood = false;

  const setStatus = (next: ConnectionStatus) => {
    if (next === status) return;
    status = next;
    for (const listener of [...statusListeners]) listener(next);
  };

  const connect = () => {
    setStatus('connecting');
    let ws: SocketLike;
    try {
      ws = new WebSocketImpl(url);
    } catch {
      onLost();
      return;
    }
    socket = ws;
    ws.addEventListener('open', () => {
      if (socket !== ws) return;
      failures = 0;
      setStatus('open');
      for (const invoke of pending.values()) {
        if (invoke.unsent === null) continue;
        ws.send(invoke.unsent);
        invoke.unsent = null;
      }
    });
    ws.addEventListener('message', (event) => {
      if (socket !== ws || typeof event.data !== 'string') return;
      const message = parseServerMessage(event.data);
      if (message?.type === 'result' && message.id !== null) {
        const invoke = pending.get(message.id);
        pending.delete(message.id);
        invoke?.resolve(message.result);
      } else if (message?.type === 'event') {
        for (const listener of [...(listeners.get(message.name) ?? [])]) {
          try {
            listener(message.payload);
          } catch (err) {
            // One broken listener must not keep the event from the others.
            console.error(`VAE Studio: a ${message.name} listener threw`, err);
          }
        }
      }
    });
    // 'close' always follows 'error'; the listener is there because Node's `ws` throws an error nobody listens to.
    ws.addEventListener('error', () => undefined);
    ws.addEventListener('close', () => {
      if (socket === ws) onLost();
    });
  };

  const onLost = () => {
    socket = null;
    // Whatever was waiting, sent or not, is answered now rather than left hanging across an outage.
    settleAll(closedForGood ? CLOSED : DISCONNECTED);
    setStatus('closed');
    if (closedForGood) return;
    const delay = Math.min(maxDelay, initialDelay * 2 ** failures);
    failures += 1;
    reconnectTimer = setTimeout(connect, delay);
  };

  const settleAll = (failure: ApiFailure) => {
    const waiting = [...pending.values()];
    pending.clear();
    for (const invoke of waiting) invoke.resolve(failure);
  };

  connect();

  return {
    invoke(name: RequestName, input: unknown): Promise<ApiResult<unknown>> {
      if (closedForGood) return Promise.resolve(CLOSED);
      const id = nextId++;
      const frame = encodeMessage({ type: 'invoke', id, name, input: input ?? {} });
      return new Promise((resolve) => {
        const open = status === 'open' && socket !== null;
        pending.set(id, { resolve, unsent: open ? null : frame });
        if (open) socket?.send(frame);
      });
    },
    subscribe(name: EventName, listener: (payload: unknown) => void): Unsubscribe {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      // A wrapper, so subscribing the same function twice gives two independent subscriptions.
      const entry = (payload: unknown) => listener(payload);
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
    close() {
      if (closedForGood) return;
      closedForGood = true;
      clearTimeout(reconnectTimer);
      const ws = socket;
      socket = null;
      ws?.close(1000, 'closed by the app');
      settleAll(CLOSED);
      setStatus('closed');
    },
    onStatus(listener: (status: ConnectionStatus) => void): Unsubscribe {
      statusListeners.add(listener);
      listener(status);
      return () => {
        statusListeners.delete(listener);
      };
    },
  };
}

interface LocationLike {
  protocol: string;
  host: string;
  search: string;
}

function defaultUrl(): string {
  const location = (globalThis as { location?: LocationLike }).location;
  if (!location)
    throw new Error('createWebSocketTransport: no `url` given and no page location to derive it from');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const token = new URLSearchParams(location.search).get(TOKEN_PARAM);
  const query = token ? `?${TOKEN_PARAM}=${encodeURIComponent(token)}` : '';
  return `${scheme}://${location.host}${WIRE_PATH}${query}`;
}

function globalWebSocket(): WebSocketConstructor {
  const impl = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!impl)
    throw new Error('createWebSocketTransport: this environment has no WebSocket; pass WebSocketImpl');
  return impl;
}
