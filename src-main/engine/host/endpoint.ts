/**
 * One end of a two-way message channel, whatever carries it: a `worker_threads` MessagePort, a browser or
 * Electron MessagePort, or a WebSocket (socketEndpoint.ts). The training protocol speaks only to this.
 */

/** What an endpoint tells its subscribers. */
export interface EndpointListener {
  /** A message from the other side (structured-clone data: typed arrays arrive as typed arrays). */
  onMessage(message: unknown): void;
  /** The channel is gone (either side closed it, or the process behind it died); `reason` says how. */
  onClose?(reason: string): void;
}

/** One end of a message channel. */
export interface HostEndpoint {
  /**
   * Sends `message`. The ArrayBuffers in `transfer` are moved, not copied, where the channel can (ports); they
   * are unusable here afterwards. Throws when the message cannot be sent (the channel is closed).
   */
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  /** Starts delivering messages to `listener`; returns its unsubscribe. */
  subscribe(listener: EndpointListener): () => void;
  /** Closes the channel; both sides' subscribers hear `onClose`. Safe to call twice. */
  close(): void;
}

/** A listener function as `on`/`addEventListener` take it. */
type Handler = (arg: unknown) => void;

/**
 * A MessagePort as any of its worlds shapes it: Node's `worker_threads` port (an EventEmitter whose 'message'
 * listeners get the payload), Electron's main-side `MessagePortMain` (an EventEmitter whose listeners get an
 * event with `.data`), or a browser/renderer port (an EventTarget: `addEventListener('message', event)`).
 */
export interface MessagePortLike {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  close(): void;
  start?(): void;
  on?(event: string, handler: Handler): unknown;
  off?(event: string, handler: Handler): unknown;
  addEventListener?(event: string, handler: Handler): unknown;
  removeEventListener?(event: string, handler: Handler): unknown;
}

/** How {@link portEndpoint} treats a port. The defaults suit Node's worker_threads and browser ports. */
export interface PortOptions {
  /** Names the port in close reasons: "the training host closed: the <name> was closed". */
  name?: string;
  /**
   * What an EventEmitter port's 'message' listeners receive: the payload itself ('payload', Node's
   * worker_threads) or an event whose `data` is the payload ('event', Electron's MessagePortMain and a utility
   * process's `parentPort`). EventTarget ports always hand an event.
   */
  emitterMessages?: 'payload' | 'event';
  /** False for ports that can move only ports, not ArrayBuffers (Electron's MessagePortMain): all is copied. */
  transfersBuffers?: boolean;
}

/** Listens on an EventEmitter or an EventTarget; `unwrap` turns what the listener gets into the payload. */
function listen(
  target: MessagePortLike,
  event: string,
  handler: Handler,
  unwrap: { emitter: (arg: unknown) => unknown; target: (arg: unknown) => unknown },
): () => void {
  if (typeof target.on === 'function' && typeof target.off === 'function') {
    const wrapped: Handler = (arg) => handler(unwrap.emitter(arg));
    target.on(event, wrapped);
    return () => void target.off!(event, wrapped);
  }
  if (typeof target.addEventListener === 'function' && typeof target.removeEventListener === 'function') {
    const wrapped: Handler = (arg) => handler(unwrap.target(arg));
    target.addEventListener(event, wrapped);
    return () => void target.removeEventListener!(event, wrapped);
  }
  throw new TypeError('a message port needs on/off or addEventListener/removeEventListener');
}

const eventData = (event: unknown): unknown => (event as { data?: unknown }).data;
const itself = (arg: unknown): unknown => arg;

/**
 * A {@link HostEndpoint} over a MessagePort. The port is listened to only while someone is subscribed, so an
 * idle Node port does not keep its process alive. Closing either end reaches both: Node, Electron and Chromium
 * (from version 123) fire `close` on both ports of a channel, also when the context holding the other one dies.
 *
 * For Electron's main-side ports: `portEndpoint(port, { emitterMessages: 'event', transfersBuffers: false })`.
 */
export function portEndpoint(port: MessagePortLike, options: PortOptions = {}): HostEndpoint {
  const name = options.name ?? 'message port';
  const payload = options.emitterMessages === 'event' ? eventData : itself;
  const transfers = options.transfersBuffers ?? true;
  const listeners = new Set<EndpointListener>();
  let closed: string | null = null;
  let detach: (() => void) | null = null;

  const closeAll = (reason: string): void => {
    if (closed !== null) return;
    closed = reason;
    detach?.();
    detach = null;
    for (const l of [...listeners]) l.onClose?.(reason);
    listeners.clear();
  };

  const attach = (): void => {
    const offMessage = listen(
      port,
      'message',
      (data) => {
        for (const l of [...listeners]) l.onMessage(data);
      },
      { emitter: payload, target: eventData },
    );
    const offClose = listen(port, 'close', () => closeAll(`the ${name} was closed`), {
      emitter: itself,
      target: itself,
    });
    detach = () => {
      offMessage();
      offClose();
    };
    port.start?.();
  };

  return {
    postMessage(message, transfer) {
      if (closed !== null) throw new Error(`cannot send: ${closed}`);
      port.postMessage(message, transfers ? (transfer ?? []) : []);
    },
    subscribe(listener) {
      if (closed !== null) {
        listener.onClose?.(closed);
        return () => undefined;
      }
      listeners.add(listener);
      if (detach === null) attach();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && detach !== null) {
          detach();
          detach = null;
        }
      };
    },
    close() {
      if (closed !== null) return;
      port.close();
      closeAll(`this side closed the ${name}`);
    },
  };
}
