/**
 * Browser mode's wire format: the messages a WebSocket carries between `vae-studio serve` and the renderer. One
 * JSON object per text frame. The client sends `invoke`s; the server answers each with a `result` carrying the
 * same id, greets with `hello` once, and broadcasts every studio event as an `event`. No Node imports: the
 * server and the browser client both compile it.
 */
import { z } from 'zod';
import { BOUNDARY_CODES, describeZodError, type ApiFailure, type ApiResult } from './define.js';
import { eventNames, type EventName, type EventPayload } from './events.js';

/** The WebSocket endpoint's path on the server. */
export const WIRE_PATH = '/ws';

/**
 * Browser mode's download of an output folder as one zip file: `GET <DOWNLOAD_PATH>?folder=<path>` (the path as
 * the app knows it, e.g. a generation's `out`). Only folders inside the current project's generated/ and
 * interpolations/ folders are served; the Electron app opens folders in the file manager instead.
 */
export const DOWNLOAD_PATH = '/api/zip';
export const DOWNLOAD_FOLDER_PARAM = 'folder';

/** The address (relative to the page) that downloads `folder` as a zip. */
export function folderZipUrl(folder: string): string {
  return `${DOWNLOAD_PATH}?${DOWNLOAD_FOLDER_PARAM}=${encodeURIComponent(folder)}`;
}

/** The query parameter that carries the access token (`?token=…`) on the first page load or the WebSocket URL. */
export const TOKEN_PARAM = 'token';

/**
 * Largest frame the server reads. The renderer uploads dropped files in requests of about 6 MiB of raw bytes
 * (`planUploadChunks`), 8 MiB as base64; a single file larger than that travels alone, so the limit leaves room for
 * one image of up to about 24 MiB. A larger frame closes the connection with 1009 (message too big).
 */
export const MAX_FRAME_BYTES = 32 * 1024 * 1024;

/** Chosen by the client to pair a `result` with its `invoke`. */
export const invokeIdSchema = z.union([z.number().int().min(0), z.string().min(1).max(200)]);
export type InvokeId = z.infer<typeof invokeIdSchema>;

/** Client → server: run one request of the contract. The server validates `input` against the request's schema. */
export const invokeMessageSchema = z.object({
  type: z.literal('invoke'),
  id: invokeIdSchema,
  name: z.string().min(1).max(200),
  input: z.unknown().default({}),
});
export type InvokeMessage = z.input<typeof invokeMessageSchema>;
/** Every message a client may send. */
export type ClientMessage = InvokeMessage;

/** Server → client, once per connection, before anything else. */
export interface HelloMessage {
  type: 'hello';
  /** The app's version, e.g. "0.1.0". */
  version: string;
  host: 'browser';
}

/**
 * Server → client: the answer to one `invoke`. `id` is null only when a message was so malformed that its id
 * could not be read (as JSON-RPC does for parse errors).
 */
export interface ResultMessage {
  type: 'result';
  id: InvokeId | null;
  result: ApiResult<unknown>;
}

/** Server → client: one studio event, sent to every connected client. */
export type EventMessage = {
  [N in EventName]: { type: 'event'; name: N; payload: EventPayload<N> };
}[EventName];

/** Every message the server may send. */
export type ServerMessage = HelloMessage | ResultMessage | EventMessage;

/** What {@link parseClientMessage} makes of one frame: the message, or the failure to answer it with. */
export type ParsedClientMessage =
  | { ok: true; message: z.output<typeof invokeMessageSchema> }
  | { ok: false; id: InvokeId | null; failure: ApiFailure };

/** Reads one text frame from a client; never throws. A bad frame yields an INVALID_INPUT failure naming the field. */
export function parseClientMessage(text: string): ParsedClientMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return invalid(null, `message is not JSON (${(err as Error).message})`);
  }
  const parsed = invokeMessageSchema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const id = invokeIdSchema.safeParse((raw as { id?: unknown } | null)?.id);
  return invalid(id.success ? id.data : null, `bad message: ${describeZodError(parsed.error)}`);
}

function invalid(id: InvokeId | null, message: string): ParsedClientMessage {
  return { ok: false, id, failure: { ok: false, code: BOUNDARY_CODES.invalidInput, message } };
}

const apiResultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
]);

// The client trusts the server for payload shapes (both come from the same contract) and checks only the frame.
const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), version: z.string(), host: z.literal('browser') }),
  z.object({ type: z.literal('result'), id: invokeIdSchema.nullable(), result: apiResultSchema }),
  z.object({
    type: z.literal('event'),
    name: z.enum(eventNames as [EventName, ...EventName[]]),
    payload: z.unknown(),
  }),
]);

/** Reads one text frame from the server; null when it is not a message of this format. */
export function parseServerMessage(text: string): ServerMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = serverMessageSchema.safeParse(raw);
  return parsed.success ? (parsed.data as ServerMessage) : null;
}

/** Serialises a message for a text frame; typed so each side can only send its own messages. */
export function encodeMessage(message: ServerMessage | ClientMessage): string {
  return JSON.stringify(message);
}
