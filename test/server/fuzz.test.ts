import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, requests } from '../../src-main/contract/index.js';
import { Rng as EngineRng } from '../../src-main/engine/index.js';
import type { ServerMessage } from '../../src-main/contract/wire.js';
import { startServer, type RunningServer } from '../../src-main/server/index.js';
import { fakeStudio } from './fakeStudio.js';
import { TestClient, fakeRenderer } from './helpers.js';

const SEED = 0x5eed1;
const MESSAGES = 3000;
const BATCH = 25;

/** The engine's seeded generator (mulberry32), with a pick: a failure replays exactly. */
function rng(seed: number) {
  const r = new EngineRng(seed);
  const next = () => r.next();
  const int = (n: number) => r.int(n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const NAMES = Object.keys(requests);
const WEIRD_NUMBERS = [0, -1, 1e308, -1e308, 2 ** 53 + 1, 1e-320, 0.5, 10_000_001, -0];
const WEIRD_STRINGS = [
  '',
  '..',
  '../../etc/passwd',
  '/proc/self/mem',
  'a'.repeat(5000),
  '\u0000',
  '💥',
  '%00',
  '{}',
];

function value(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 3 ? 5 : 8)) {
    case 0:
      return r.pick(WEIRD_NUMBERS);
    case 1:
      return r.pick(WEIRD_STRINGS);
    case 2:
      return r.next() < 0.5;
    case 3:
      return null;
    case 4:
      return r.int(2000);
    case 5:
      return Array.from({ length: r.int(5) }, () => value(r, depth + 1));
    case 6:
      return Object.fromEntries(
        Array.from({ length: r.int(5) }, () => [
          r.pick(['path', 'indices', 'out', 'count', 'a', 'x']),
          value(r, depth + 1),
        ]),
      );
    default:
      return { datasetIndex: r.int(5) };
  }
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** One frame: text (valid, mutated or garbage) or, rarely, binary. */
function frame(r: Rng, i: number): string | Buffer {
  const id = `f${i}`;
  switch (r.int(10)) {
    case 0: // bytes that are not JSON
      return Buffer.from(Array.from({ length: 1 + r.int(64) }, () => r.int(256))).toString('latin1');
    case 1: // JSON that is not a message
      return JSON.stringify(value(r));
    case 2: // a message with wrong field types
      return JSON.stringify({
        type: r.pick(['invoke', 'result', 7, null]),
        id: value(r),
        name: value(r),
        input: value(r),
      });
    case 3: // unknown names
      return JSON.stringify({
        type: 'invoke',
        id,
        name: r.pick(['no.such', '__proto__', 'constructor', 'toString', 'x'.repeat(300)]),
        input: {},
      });
    case 4: // deep nesting in the input
      return `{"type":"invoke","id":"${id}","name":"${r.pick(NAMES)}","input":${nested(100 + r.int(3000))}}`;
    case 5: // huge numbers where counts and indices go
      return JSON.stringify({
        type: 'invoke',
        id,
        name: r.pick(NAMES),
        input: { count: 1e308, indices: [1e308, -1], offset: 2 ** 60, limit: 1e9 },
      });
    case 6: // binary
      return Buffer.from([r.int(256), r.int(256)]);
    default: // valid names with mutated inputs
      return JSON.stringify({ type: 'invoke', id, name: r.pick(NAMES), input: value(r) });
  }
}

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the WebSocket under fuzzing', () => {
  it(`answers each of ${MESSAGES} seeded random and mutated frames with a result or a clear error, and keeps serving`, async () => {
    // Every request answers ok once its input passes the contract's schema, as the real studio's would.
    const fake = fakeStudio(
      Object.fromEntries(
        NAMES.filter((name) => name !== 'app.info').map((name) => [
          name,
          () => ({ ok: true as const, value: null }),
        ]),
      ),
    );
    const { rendererDir } = await fakeRenderer();
    server = await startServer({ studio: fake.studio, port: 0, rendererDir, version: '1.2.3' });
    const client = await TestClient.connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token!}`);
    await client.next((m) => m.type === 'hello');
    const r = rng(SEED);
    const codes = new Set<string>(ERROR_CODES);
    const tally = { ok: 0, failed: 0, byCode: {} as Record<string, number> };
    const results = () =>
      client.messages.filter((m): m is Extract<ServerMessage, { type: 'result' }> => m.type === 'result');

    for (let sent = 0; sent < MESSAGES;) {
      const expected = sent + BATCH;
      for (; sent < expected; sent++) {
        const f = frame(r, sent);
        if (typeof f === 'string') client.sendText(f);
        else client.socket.send(f, { binary: true });
      }
      await expect.poll(() => results().length, { timeout: 10_000, interval: 5 }).toBe(expected);
    }
    for (const m of results()) {
      if (m.result.ok) tally.ok += 1;
      else {
        tally.failed += 1;
        expect(codes.has(m.result.code), m.result.code).toBe(true);
        expect(m.result.message.length).toBeGreaterThan(0);
        tally.byCode[m.result.code] = (tally.byCode[m.result.code] ?? 0) + 1;
      }
    }
    expect(tally.ok + tally.failed).toBe(MESSAGES);
    expect(tally.ok).toBeGreaterThan(0);
    expect(tally.byCode.INVALID_INPUT).toBeGreaterThan(MESSAGES / 4);
    expect(tally.byCode.UNKNOWN_REQUEST).toBeGreaterThan(0);
    // Nothing reached a handler as a bug: every failure is one the contract expects.
    expect(tally.byCode.INTERNAL).toBeUndefined();
    // Every id-bearing invoke got the answer with its own id.
    const ids = new Set(results().map((m) => m.id));
    expect(ids.size).toBeGreaterThan(MESSAGES / 2);
    console.log(`fuzz seed ${SEED}: ${MESSAGES} frames, ${tally.ok} ok, ${JSON.stringify(tally.byCode)}`);

    expect(client.socket.readyState).toBe(1);
    expect(await client.invoke('after', 'app.info')).toMatchObject({
      result: { ok: true, value: { platform: 'test' } },
    });
    const fresh = await TestClient.connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token!}`);
    expect(await fresh.invoke(1, 'app.info')).toMatchObject({ result: { ok: true } });
    await Promise.all([client.close(), fresh.close()]);
  }, 40_000);
});
