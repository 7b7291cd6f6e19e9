/**
 * One browser tab's WebSocket: it is greeted with `hello`, each `invoke` it sends is run on the studio and answered
 * with a `result` of the same id, and every studio event is broadcast to it. A malformed message is answered with
 * INVALID_INPUT and the connection stays open.
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

// `WebSocket.OPEN`, without importing ws's value where only its type is needed.
const OPEN = 1;

/** Serves one connected client until it goes away. */
export function startSession(socket: WebSocket, options: { studio: Studio; version: string }): void {
  // ws emits 'error' for protocol violations (e.g. an oversized frame) and closes the socket itself; without a
  // listener the error would be thrown and take the server down.
  socket.on('error', () => undefined);
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      reply(
        socket,
        null,
        failure(BOUNDARY_CODES.invalidInput, 'bad message: send JSON text frames, not binary'),
      );
      return;
    }
    const parsed = parseClientMessage(textOf(data));
    if (!parsed.ok) {
      reply(socket, parsed.id, parsed.failure);
      return;
    }
    const { id, name, input } = parsed.message;
    void invokeSafely(options.studio, name, input).then((result) => reply(socket, id, result));
  });
  send(socket, { type: 'hello', version: options.version, host: 'browser' });
}

/** Sends one studio event to every open client, serialised once. */
export function broadcastEvent<N extends EventName>(
  clients: Iterable<WebSocket>,
  name: N,
  payload: EventPayload<N>,
): void {
  const text = encodeMessage({ type: 'event', name, payload } as ServerMessage);
  for (const client of clients) if (client.readyState === OPEN) client.send(text);
}

async function invokeSafely(studio: Studio, name: string, input: unknown): Promise<ApiResult<unknown>> {
  try {
    return await studio.invoke(name, input);
  } catch (err) {
    // Studio.invoke promises never to throw; if it does anyway, the client still gets its answer.
    return failure(BOUNDARY_CODES.internal, `${name} failed unexpectedly: ${(err as Error).message}`);
  }
}

function reply(socket: WebSocket, id: InvokeId | null, result: ApiResult<unknown>): void {
  try {
    send(socket, { type: 'result', id, result });
  } catch (err) {
    send(socket, {
      type: 'result',
      id,
      result: failure(BOUNDARY_CODES.internal, `the result could not be sent: ${(err as Error).message}`),
    });
  }
}

function send(socket: WebSocket, message: ServerMessage): void {
  // A client that left while its request ran simply gets no answer.
  if (socket.readyState === OPEN) socket.send(encodeMessage(message));
}

function failure(code: ErrorCode, message: string): ApiResult<never> {
  return { ok: false, code, message };
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
}
