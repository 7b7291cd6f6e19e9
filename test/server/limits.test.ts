import { readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_FRAME_BYTES } from '../../src-main/contract/wire.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src-main/server/index.js';
import { DEFAULT_LIMITS } from '../../src-main/server/limits.js';
import { fakeStudio } from './fakeStudio.js';
import { TestClient, fakeRenderer, rawGet } from './helpers.js';

const running: RunningServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(fake: ReturnType<typeof fakeStudio>, options: Partial<ServerOptions> = {}) {
  const { rendererDir } = await fakeRenderer();
  const server = await startServer({
    studio: fake.studio,
    port: 0,
    rendererDir,
    version: '1.2.3',
    ...options,
  });
  running.push(server);
  const wsUrl = `ws://127.0.0.1:${server.port}/ws?token=${server.token!}`;
  const connect = async (extra: Parameters<typeof TestClient.connect>[1] = {}) => {
    const client = await TestClient.connect(wsUrl, extra);
    clients.push(client);
    return client;
  };
  return { server, connect, auth: { Authorization: `Bearer ${server.token!}` } };
}

/** A thumbnails handler that holds every request until released, except index 999, and counts how many run. */
function heldThumbnails() {
  const state = { active: 0, peak: 0, started: 0 };
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const handler = async (input: unknown) => {
    if ((input as { indices: number[] }).indices[0] === 999) return { ok: true as const, value: [] };
    state.started += 1;
    state.active += 1;
    state.peak = Math.max(state.peak, state.active);
    await released;
    state.active -= 1;
    return { ok: true as const, value: [] };
  };
  return { state, handler, release };
}

describe('limits on heavy requests', () => {
  it('runs a flood of thumbnail requests two at a time, queues 16, refuses the rest; another client still gets through', async () => {
    const held = heldThumbnails();
    const fake = fakeStudio({ 'dataset.thumbnails': held.handler });
    const { connect } = await start(fake);
    const [flooder, other] = [await connect(), await connect()];
    for (let i = 0; i < 100; i++) {
      flooder.sendText(
        JSON.stringify({ type: 'invoke', id: i, name: 'dataset.thumbnails', input: { indices: [i] } }),
      );
    }
    const refusedFlood = await Promise.all(
      Array.from({ length: 82 }, (_, k) => flooder.next((m) => m.type === 'result' && m.id === 18 + k)),
    );
    for (const answer of refusedFlood) {
      expect(answer).toMatchObject({ result: { ok: false, code: 'BUSY' } });
      expect(answer.type === 'result' && !answer.result.ok && answer.result.message).toContain(
        'already has 18 image-heavy requests running or waiting',
      );
    }
    expect([held.state.active, held.state.peak]).toEqual([2, 2]);

    // The flood holds two of the four slots, so the other client's heavy and light requests answer at once.
    const begun = Date.now();
    expect(await other.invoke('t', 'dataset.thumbnails', { indices: [999] })).toMatchObject({
      result: { ok: true },
    });
    expect(await other.invoke('i', 'app.info')).toMatchObject({ result: { ok: true } });
    expect(Date.now() - begun).toBeLessThan(500);

    held.release();
    const served = await Promise.all(
      Array.from({ length: 18 }, (_, id) => flooder.next((m) => m.type === 'result' && m.id === id)),
    );
    expect(served.every((m) => m.type === 'result' && m.result.ok)).toBe(true);
    expect([held.state.started, held.state.peak]).toEqual([18, 2]);
  });

  it('caps heavy work over all connections at four', async () => {
    const held = heldThumbnails();
    const { connect } = await start(fakeStudio({ 'dataset.thumbnails': held.handler }));
    const three = [await connect(), await connect(), await connect()];
    three.forEach((client, c) => {
      for (let i = 0; i < 3; i++) {
        client.sendText(
          JSON.stringify({ type: 'invoke', id: i, name: 'dataset.thumbnails', input: { indices: [c] } }),
        );
      }
    });
    await expect.poll(() => held.state.started).toBe(4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(held.state.peak).toBe(4);
    held.release();
    for (const client of three) {
      for (let i = 0; i < 3; i++) {
        expect(await client.next((m) => m.type === 'result' && m.id === i)).toMatchObject({
          result: { ok: true },
        });
      }
    }
    expect(held.state.started).toBe(9);
  });

  it('refuses more than 64 unanswered requests of one connection with BUSY', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { connect } = await start(
      fakeStudio({ 'project.current': () => released.then(() => ({ ok: true as const, value: null })) }),
    );
    const client = await connect();
    for (let i = 0; i < 65; i++)
      client.sendText(JSON.stringify({ type: 'invoke', id: i, name: 'project.current' }));
    expect(await client.next((m) => m.type === 'result' && m.id === 64)).toMatchObject({
      result: {
        ok: false,
        code: 'BUSY',
        message: expect.stringContaining('64 requests of this connection') as unknown,
      },
    });
    release();
    expect(await client.next((m) => m.type === 'result' && m.id === 63)).toMatchObject({
      result: { ok: true },
    });
  });
});

describe('limits on a connection', () => {
  it('closes a client that stops reading once its unread answers pass the buffer limit', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const big = 'x'.repeat(256 * 1024);
    const fake = fakeStudio({ 'project.current': () => ({ ok: true, value: { big } }) });
    const { server, connect, auth } = await start(fake, { limits: { maxBufferedBytes: 1024 * 1024 } });
    const reader = await connect();
    const slow = await connect();
    // The client's TCP socket stops reading: answers pile up in the server.
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let i = 0; i < 200; i++)
      slow.sendText(JSON.stringify({ type: 'invoke', id: i, name: 'project.current' }));
    await expect
      .poll(
        async () =>
          (JSON.parse((await rawGet(server.port, '/api/health', auth)).body) as { clients: number }).clients,
        { timeout: 5000 },
      )
      .toBe(1);
    slow.socket.terminate();
    expect(warn).toHaveBeenCalledWith(
      'vae-studio [server]: a browser client was disconnected: closed for not reading: too many answers were waiting to be sent to this client',
    );
    expect(await reader.invoke(1, 'app.info')).toMatchObject({ result: { ok: true } });
  });

  it('closes the connection with 1009 on a frame above the limit, and takes one just below', async () => {
    const { connect } = await start(fakeStudio(), { limits: { maxFrameBytes: 64 * 1024 } });
    const client = await connect();
    const padded = (bytes: number) => {
      const frame = JSON.stringify({ type: 'invoke', id: 1, name: 'app.info', input: { pad: '' } });
      return frame.replace('"pad":""', `"pad":"${'p'.repeat(bytes - frame.length)}"`);
    };
    expect(await client.invoke(0, 'app.info')).toMatchObject({ result: { ok: true } });
    client.sendText(padded(64 * 1024));
    expect(await client.next((m) => m.type === 'result' && m.id === 1)).toMatchObject({
      result: { ok: true },
    });
    const closed = client.closed();
    client.sendText(padded(64 * 1024 + 1));
    expect((await closed).code).toBe(1009);
  });

  it('sizes the default frame limit to the upload chunks the renderer sends', () => {
    // Read from the renderer's source: its module resolution is the bundler's, not this tsconfig's.
    const source = readFileSync('src-renderer/src/lib/upload.ts', 'utf8');
    const mib = /UPLOAD_CHUNK_BYTES = (\d+) \* 1024 \* 1024;/.exec(source)?.[1];
    const UPLOAD_CHUNK_BYTES = Number(mib) * 1024 * 1024;
    expect(UPLOAD_CHUNK_BYTES).toBeGreaterThan(0);
    expect(DEFAULT_LIMITS.maxFrameBytes).toBe(MAX_FRAME_BYTES);
    // A chunk as base64, with room for the JSON around it and its paths.
    expect(Math.ceil(UPLOAD_CHUNK_BYTES / 3) * 4 + 1024 * 1024).toBeLessThan(MAX_FRAME_BYTES);
    expect(MAX_FRAME_BYTES).toBeLessThanOrEqual(32 * 1024 * 1024);
  });

  it('closes a WebSocket that answers no pings, and keeps one that does', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { connect } = await start(fakeStudio(), { limits: { pingIntervalMs: 100 } });
    const live = await connect();
    const silent = await connect({ autoPong: false });
    expect(await silent.closed()).toEqual({
      code: 1008,
      reason: 'closed after no message or ping answer for too long',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(live.socket.readyState).toBe(1);
    expect(await live.invoke(1, 'app.info')).toMatchObject({ result: { ok: true } });
  });

  it('times out a client that sends its request headers too slowly (slow-loris)', async () => {
    const { server } = await start(fakeStudio(), {
      limits: { headersTimeoutMs: 300, requestTimeoutMs: 600, timeoutCheckMs: 100 },
    });
    const begun = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = tcpConnect(server.port, '127.0.0.1');
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const drip = setInterval(() => socket.writable && socket.write('X-Drip: 1\r\n'), 50);
      socket.on('close', () => clearInterval(drip));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - begun).toBeLessThan(2000);
  });
});
