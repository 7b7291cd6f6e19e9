/**
 * One browser tab's WebSocket: it is greeted with `hello`, each `invoke` it sends is run on the studio and answered
 * with a `result` of the same id, and every studio event is broadcast to it. A malformed message is answered with
 * INVALID_INPUT and the connection stays open. The session keeps to the server's limits (limits.ts): heavy
 * requests go through its lane of the shared gate, too many unanswered requests are refused with BUSY, a client
 * whose unread answers exceed the buffer limit is closed, and one that answers neither messages nor pings is closed.
 */
import type { RawData, WebSocket } from 'ws';
import {
  BOUNDARY_CODES,
  type ApiResult,
  type ErrorCode,
  type EventName,
  type EventPayload,
} from '../contract/index.js';
import { encodeMessage, parseClientMessage, type InvokeId, type ServerMessage } from '../contract/wire.js';
import type { Studio } from '../studio/types.js';
import { log } from '../util/log.js';
import { unexpectedMessage } from '../util/unexpected.js';
import { HEAVY_REQUESTS, type HeavyWorkGate, type ServerLimits } from './limits.js';

// `WebSocket.OPEN`, without importing ws's value where only its type is needed.
const OPEN = 1;
/** Close code for a client that broke a limit (RFC 6455: policy violation). */
export const CLOSE_POLICY = 1008;
/** How long a closed client gets to finish the close handshake before it is cut off. */
const TERMINATE_AFTER_MS = 1000;

/** What a session needs from its server. */
export interface SessionOptions {
  studio: Studio;
  version: string;
  limits: ServerLimits;
  gate: HeavyWorkGate;
}

/** Serves one connected client until it goes away. */
export function startSession(socket: WebSocket, options: SessionOptions): void {
  const { limits } = options;
  const lane = options.gate.lane();
  let inFlight = 0;
  const answer = (id: InvokeId | null, result: ApiResult<unknown>) =>
    reply(socket, id, result, limits.maxBufferedBytes);
  let alive = true;
  // Browsers answer pings by themselves, so a tab that is open but idle stays connected.
  const heartbeat = setInterval(() => {
    if (!alive) {
      closeFor(socket, 'closed after no message or ping answer for too long');
      return;
    }
    alive = false;
    if (socket.readyState === OPEN) socket.ping();
  }, limits.pingIntervalMs);
  heartbeat.unref();
  socket.on('pong', () => (alive = true));
  socket.on('close', () => {
    clearInterval(heartbeat);
    lane.close();
  });
  // ws emits 'error' for protocol violations (e.g. an oversized frame) and closes the socket itself; without a
  // listener the error would be thrown and take the server down.
  socket.on('error', () => undefined);
  socket.on('message', (data, isBinary) => {
    alive = true;
    if (isBinary) {
      answer(null, failure(BOUNDARY_CODES.invalidInput, 'bad message: send JSON text frames, not binary'));
      return;
    }
    const parsed = parseClientMessage(textOf(data));
    if (!parsed.ok) {
      answer(parsed.id, parsed.failure);
      return;
    }
    const { id, name, input } = parsed.message;
    const heavy = HEAVY_REQUESTS.has(name);
    const refusal = heavy ? lane.refusal() : null;
    if (refusal) {
      answer(id, refusal);
      return;
    }
    if (inFlight >= limits.inFlightPerConnection) {
      answer(
        id,
        failure(
          BOUNDARY_CODES.busy,
          `${limits.inFlightPerConnection} requests of this connection are still unanswered; wait for their answers`,
        ),
      );
      return;
    }
    inFlight += 1;
    const run = () => invokeSafely(options.studio, name, input);
    void (heavy ? lane.run(run) : run()).then((result) => {
      inFlight -= 1;
      answer(id, result);
    });
  });
  send(socket, { type: 'hello', version: options.version, host: 'browser' });
}

/** Sends one studio event to every open client, serialised once. */
export function broadcastEvent<N extends EventName>(
  clients: Iterable<WebSocket>,
  name: N,
  payload: EventPayload<N>,
  maxBufferedBytes: number,
): void {
  const text = encodeMessage({ type: 'event', name, payload } as ServerMessage);
  for (const client of clients) sendText(client, text, maxBufferedBytes);
}

async function invokeSafely(studio: Studio, name: string, input: unknown): Promise<ApiResult<unknown>> {
  try {
    return await studio.invoke(name, input);
  } catch (err) {
    // Studio.invoke promises never to throw; if it does anyway, the client still gets its answer.
    log.error('server', `${name} threw`, err);
    return failure(BOUNDARY_CODES.internal, unexpectedMessage(err));
  }
}

/**
 * Closes a client that broke a limit, with a reason it can show, and cuts it off if it does not answer the close
 * (a client that stops reading never will).
 */
export function closeFor(socket: WebSocket, reason: string): void {
  if (socket.readyState !== OPEN) return;
  log.warn('server', `a browser client was disconnected: ${reason}`);
  // A close reason may hold at most 123 bytes.
  socket.close(CLOSE_POLICY, Buffer.from(reason).subarray(0, 123).toString());
  setTimeout(() => socket.terminate(), TERMINATE_AFTER_MS).unref();
}

function reply(
  socket: WebSocket,
  id: InvokeId | null,
  result: ApiResult<unknown>,
  maxBufferedBytes: number,
): void {
  let text: string;
  try {
    text = encodeMessage({ type: 'result', id, result });
  } catch (err) {
    text = encodeMessage({
      type: 'result',
      id,
      result: failure(BOUNDARY_CODES.internal, unexpectedMessage(err, 'Sending the answer')),
    });
  }
  sendText(socket, text, maxBufferedBytes);
}

function send(socket: WebSocket, message: ServerMessage): void {
  sendText(socket, encodeMessage(message), Infinity);
}

/** Sends one frame unless the client already has more than `maxBufferedBytes` unread; then it is closed. */
function sendText(socket: WebSocket, text: string, maxBufferedBytes: number): void {
  // A client that left while its request ran simply gets no answer.
  if (socket.readyState !== OPEN) return;
  if (socket.bufferedAmount > maxBufferedBytes) {
    closeFor(socket, 'closed for not reading: too many answers were waiting to be sent to this client');
    return;
  }
  socket.send(text);
}

function failure(code: ErrorCode, message: string): ApiResult<never> {
  return { ok: false, code, message };
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
}
