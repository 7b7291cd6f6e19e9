/**
 * What one client may cost the server. Heavy requests (those that decode, encode or read many images) run a few at
 * a time per connection and in all, the rest wait in a short queue or are refused with BUSY; a connection has a
 * bounded number of requests in flight; a client that stops reading is closed before its answers pile up; frames
 * are no larger than an upload chunk needs; HTTP requests must arrive promptly; a silent socket is closed.
 */
import { MAX_FRAME_BYTES } from '../contract/wire.js';
import type { ApiFailure, ApiResult } from '../contract/index.js';
import { unexpectedMessage } from '../util/unexpected.js';

/** The server's limits; tests shrink them, `vae-studio serve` uses {@link DEFAULT_LIMITS}. */
export interface ServerLimits {
  /** Heavy requests running at once for one connection. */
  heavyPerConnection: number;
  /** Heavy requests running at once over all connections. */
  heavyTotal: number;
  /** Heavy requests one connection may have waiting for a slot; more are refused with BUSY. */
  heavyQueuePerConnection: number;
  /** Requests of any kind one connection may have unanswered; more are refused with BUSY. */
  inFlightPerConnection: number;
  /** Largest frame a client may send (bytes); a larger one closes the connection with 1009. */
  maxFrameBytes: number;
  /** Bytes the server may hold for a client that does not read; above it the connection is closed. */
  maxBufferedBytes: number;
  /** Time a client gets to send a request's headers (slow-loris), ms. */
  headersTimeoutMs: number;
  /** Time a client gets to send a whole HTTP request, ms. */
  requestTimeoutMs: number;
  /** How often Node checks the two timeouts above, ms. */
  timeoutCheckMs: number;
  /** A WebSocket is pinged this often; one that sent neither a message nor a pong since the last ping is closed, ms. */
  pingIntervalMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  heavyPerConnection: 2,
  heavyTotal: 4,
  heavyQueuePerConnection: 16,
  inFlightPerConnection: 64,
  maxFrameBytes: MAX_FRAME_BYTES,
  maxBufferedBytes: 64 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  timeoutCheckMs: 1_000,
  pingIntervalMs: 30_000,
};

/**
 * Requests whose cost grows with their input: up to 1,000 thumbnails, an interpolation preview or a reconstruction
 * (a worker each), a gallery page read from disk, the manifests of every past generation, an upload of up to a
 * frame of base64, a quality report's images, a latent map's points.
 */
export const HEAVY_REQUESTS: ReadonlySet<string> = new Set([
  'dataset.thumbnails',
  'dataset.upload',
  'generation.gallery',
  'generation.runs',
  'interpolation.preview',
  'model.reconstruct',
  'quality.report',
  'map.current',
]);

/** One connection's share of the heavy-work slots. */
export interface HeavyLane {
  /** The BUSY answer for one more heavy request when this connection's queue is full, else null. */
  refusal(): ApiFailure | null;
  /** Runs `work` once this connection and the server both have a free slot (ask {@link refusal} first). */
  run(work: () => Promise<ApiResult<unknown>>): Promise<ApiResult<unknown>>;
  /** The connection went away: its waiting work is dropped (answered BUSY, to nobody). */
  close(): void;
}

interface Waiting {
  lane: LaneState;
  start: () => void;
}

interface LaneState {
  running: number;
  queued: number;
  closed: boolean;
}

/**
 * Slots for heavy requests: at most `heavyPerConnection` per connection and `heavyTotal` in all. Waiting work
 * is started in arrival order, skipping connections already at their own cap, so one client's flood holds at most
 * its own share of the slots and every other client still gets the rest.
 */
export class HeavyWorkGate {
  private running = 0;
  private readonly waiting: Waiting[] = [];

  constructor(private readonly limits: ServerLimits) {}

  /** A lane for one new connection. */
  lane(): HeavyLane {
    const state: LaneState = { running: 0, queued: 0, closed: false };
    return {
      refusal: () =>
        state.queued < this.limits.heavyQueuePerConnection
          ? null
          : {
              ok: false,
              code: 'BUSY',
              message:
                `this connection already has ${state.running + state.queued} image-heavy requests running or ` +
                'waiting; wait for their answers before sending more',
            },
      run: (work) => this.run(state, work),
      close: () => {
        state.closed = true;
        for (let i = this.waiting.length - 1; i >= 0; i--) {
          if (this.waiting[i]!.lane === state) this.waiting.splice(i, 1)[0]!.start();
        }
      },
    };
  }

  private run(lane: LaneState, work: () => Promise<ApiResult<unknown>>): Promise<ApiResult<unknown>> {
    return new Promise((resolve) => {
      const start = () => {
        lane.queued -= 1;
        if (lane.closed) {
          resolve({
            ok: false,
            code: 'BUSY',
            message: 'the connection closed before the request could start',
          });
          return;
        }
        lane.running += 1;
        this.running += 1;
        work()
          .then(resolve, (err: unknown) =>
            resolve({
              ok: false,
              code: 'INTERNAL',
              message: unexpectedMessage(err),
            }),
          )
          .finally(() => {
            lane.running -= 1;
            this.running -= 1;
            this.pump();
          });
      };
      lane.queued += 1;
      this.waiting.push({ lane, start });
      this.pump();
    });
  }

  private pump(): void {
    for (let i = 0; i < this.waiting.length && this.running < this.limits.heavyTotal;) {
      const next = this.waiting[i]!;
      if (next.lane.running >= this.limits.heavyPerConnection) {
        i += 1;
        continue;
      }
      this.waiting.splice(i, 1);
      next.start();
    }
  }
}
