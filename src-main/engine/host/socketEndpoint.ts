/**
 * A {@link HostEndpoint} over a WebSocket (the `ws` package under Node, the browser's own WebSocket), and the
 * binary framing that lets a message keep its typed arrays: a JSON header followed by the arrays' bytes.
 *
 * Frame layout (little-endian): u32 header length H, H bytes of UTF-8 JSON, zero padding to a multiple of 8,
 * then each array's bytes, each starting at a multiple of 8 from the frame's start. In the JSON an array is
 * `{ "\u0000binary": i, "type": "Float32Array" }` (i = its chunk); a non-finite number is
 * `{ "\u0000number": "NaN" | "Infinity" | "-Infinity" }`.
 */
import { log } from '../../util/log.js';
import type { EndpointListener, HostEndpoint } from './endpoint.js';

const BINARY_KEY = '\u0000binary';
const NUMBER_KEY = '\u0000number';
const ALIGN = 8;

type ViewConstructor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;

/** The array types a frame can carry, by name, with their element size. */
const VIEW_TYPES: Record<string, { ctor: ViewConstructor; bytes: number }> = {
  Int8Array: { ctor: Int8Array, bytes: 1 },
  Uint8Array: { ctor: Uint8Array, bytes: 1 },
  Uint8ClampedArray: { ctor: Uint8ClampedArray, bytes: 1 },
  Int16Array: { ctor: Int16Array, bytes: 2 },
  Uint16Array: { ctor: Uint16Array, bytes: 2 },
  Int32Array: { ctor: Int32Array, bytes: 4 },
  Uint32Array: { ctor: Uint32Array, bytes: 4 },
  Float32Array: { ctor: Float32Array, bytes: 4 },
  Float64Array: { ctor: Float64Array, bytes: 8 },
  BigInt64Array: { ctor: BigInt64Array, bytes: 8 },
  BigUint64Array: { ctor: BigUint64Array, bytes: 8 },
  DataView: { ctor: DataView, bytes: 1 },
};

/** The JSON header: the message with arrays replaced by references, and each array's type and byte length. */
interface FrameHeader {
  message: unknown;
  chunks: [type: string, byteLength: number][];
}

const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/** The bytes a view or buffer covers, as a Uint8Array over the same memory. */
function bytesOf(value: ArrayBufferView | ArrayBuffer): Uint8Array {
  return value instanceof ArrayBuffer
    ? new Uint8Array(value)
    : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** A view's type name as the frame records it; other views (a Node Buffer, say) travel as Uint8Array. */
function typeName(value: ArrayBufferView | ArrayBuffer): string {
  if (value instanceof ArrayBuffer) return 'ArrayBuffer';
  const name = value.constructor.name;
  return name in VIEW_TYPES ? name : 'Uint8Array';
}

/** Serialises `message` to one binary frame; typed arrays, ArrayBuffers and NaN/±Infinity survive. */
export function encodeFrame(message: unknown): Uint8Array {
  const bytes: Uint8Array[] = [];
  const chunks: FrameHeader['chunks'] = [];
  const header: FrameHeader = { message, chunks };
  const json = JSON.stringify(header, function (this: unknown, key: string, value: unknown) {
    // The holder's own value: `value` has been through toJSON already, which turns a Node Buffer into numbers.
    const raw = (this as Record<string, unknown>)[key];
    if (raw instanceof ArrayBuffer || ArrayBuffer.isView(raw)) {
      const b = bytesOf(raw);
      bytes.push(b);
      chunks.push([typeName(raw), b.byteLength]);
      return { [BINARY_KEY]: bytes.length - 1 };
    }
    if (typeof value === 'number' && !Number.isFinite(value)) return { [NUMBER_KEY]: String(value) };
    return value;
  });
  // `chunks` was filled while the message was serialised, before the replacer reached `chunks` itself.
  const text = new TextEncoder().encode(json);
  let size = align(4 + text.length);
  const offsets = bytes.map((b) => {
    const at = size;
    size = align(size + b.byteLength);
    return at;
  });
  const frame = new Uint8Array(size);
  new DataView(frame.buffer).setUint32(0, text.length, true);
  frame.set(text, 4);
  bytes.forEach((b, i) => frame.set(b, offsets[i]));
  return frame;
}

/**
 * Reads a frame {@link encodeFrame} wrote. Typed arrays come back as views into one private copy of the frame,
 * each at an aligned offset, so nothing is copied twice.
 * @throws Error when the frame is truncated or its header is not the frame's JSON.
 */
export function decodeFrame(data: ArrayBuffer | ArrayBufferView): unknown {
  const src = bytesOf(data);
  // An own copy: a Node Buffer may start at any offset of a shared pool, and views must be aligned.
  const frame = new Uint8Array(src.byteLength);
  frame.set(src);
  const buffer = frame.buffer;
  if (frame.byteLength < 4)
    throw new Error(`a training host frame of ${frame.byteLength} bytes is truncated`);
  const textLength = new DataView(buffer).getUint32(0, true);
  if (4 + textLength > frame.byteLength) throw new Error('a training host frame is shorter than its header');
  const text = new TextDecoder().decode(frame.subarray(4, 4 + textLength));
  const raw = JSON.parse(text) as Partial<FrameHeader>;
  if (!Array.isArray(raw.chunks)) throw new Error('a training host frame has no chunk table');
  let at = align(4 + textLength);
  const views = raw.chunks.map(([type, byteLength]) => {
    if (at + byteLength > frame.byteLength) throw new Error('a training host frame is truncated');
    const spec = VIEW_TYPES[type];
    const view =
      spec === undefined
        ? buffer.slice(at, at + byteLength)
        : new spec.ctor(buffer, at, byteLength / spec.bytes);
    at = align(at + byteLength);
    return view;
  });
  return revive(raw.message, views);
}

/** Puts arrays and non-finite numbers back where {@link encodeFrame} left references. */
function revive(value: unknown, views: (ArrayBufferView | ArrayBuffer)[]): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (BINARY_KEY in value) return views[(value as Record<string, number>)[BINARY_KEY]!];
  if (NUMBER_KEY in value) return Number((value as Record<string, string>)[NUMBER_KEY]);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = revive(record[key], views);
  return record;
}

/**
 * A WebSocket as either world shapes it: the `ws` package (an EventEmitter: `on('message', data)`) or the
 * browser's (an EventTarget: `addEventListener('message', event)`). Both have `readyState` and `binaryType`.
 */
export interface WebSocketLike {
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  readyState: number;
  binaryType?: string;
  on?(event: string, handler: (...args: unknown[]) => void): unknown;
  off?(event: string, handler: (...args: unknown[]) => void): unknown;
  addEventListener?(event: string, handler: (event: SocketEvent) => void): unknown;
  removeEventListener?(event: string, handler: (event: SocketEvent) => void): unknown;
}

/** The fields of a browser WebSocket's message and close events that the endpoint reads. */
interface SocketEvent {
  type: string;
  data?: unknown;
  code?: number;
  reason?: string;
}

const CONNECTING = 0;
const OPEN = 1;

/**
 * A {@link HostEndpoint} over a WebSocket: every message is one binary frame ({@link encodeFrame}), so typed
 * arrays cross intact (`transfer` means nothing here: the bytes are copied onto the wire). Messages posted
 * while the socket is still connecting are sent once it opens. Text frames and undecodable frames are dropped
 * with a warning.
 */
export function socketEndpoint(socket: WebSocketLike, name = 'WebSocket'): HostEndpoint {
  if ('binaryType' in socket) socket.binaryType = 'arraybuffer';
  const listeners = new Set<EndpointListener>();
  const queued: Uint8Array[] = [];
  let closed: string | null = null;

  const closeAll = (reason: string): void => {
    if (closed !== null) return;
    closed = reason;
    queued.length = 0;
    for (const l of [...listeners]) l.onClose?.(reason);
    listeners.clear();
  };

  const onData = (data: unknown): void => {
    if (!(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
      log.warn('host', `the ${name} sent a message that is not a training host frame; it was ignored`);
      return;
    }
    let message: unknown;
    try {
      message = decodeFrame(data);
    } catch (err) {
      log.warn(
        'host',
        `the ${name} sent a broken frame (${err instanceof Error ? err.message : String(err)})`,
      );
      return;
    }
    for (const l of [...listeners]) l.onMessage(message);
  };
  const onOpen = (): void => {
    for (const frame of queued.splice(0)) socket.send(frame);
  };
  const onClose = (code: unknown, why: unknown): void => {
    const text =
      typeof why === 'string' ? why : why instanceof Uint8Array ? new TextDecoder().decode(why) : '';
    closeAll(`the ${name} closed (code ${String(code)}${text ? `: ${text}` : ''})`);
  };

  if (typeof socket.on === 'function') {
    socket.on('message', (data) => onData(data));
    socket.on('open', onOpen);
    socket.on('close', (code, reason) => onClose(code, reason));
    // ws emits 'close' after 'error'; the listener only keeps an error from being thrown as unhandled.
    socket.on('error', () => undefined);
  } else if (typeof socket.addEventListener === 'function') {
    socket.addEventListener('message', (event) => onData(event.data));
    socket.addEventListener('open', onOpen);
    socket.addEventListener('close', (event) => onClose(event.code, event.reason));
  } else {
    throw new TypeError('a WebSocket needs on() or addEventListener()');
  }
  if (socket.readyState > OPEN) closeAll(`the ${name} was already closed`);

  return {
    postMessage(message) {
      if (closed !== null) throw new Error(`cannot send: ${closed}`);
      const frame = encodeFrame(message);
      if (socket.readyState === CONNECTING) queued.push(frame);
      else socket.send(frame);
    },
    subscribe(listener) {
      if (closed !== null) {
        listener.onClose?.(closed);
        return () => undefined;
      }
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close() {
      if (closed !== null) return;
      socket.close(1000, 'closed by this side');
      closeAll(`this side closed the ${name}`);
    },
  };
}
