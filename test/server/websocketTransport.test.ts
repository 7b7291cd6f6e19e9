import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildApi, type ApiResult } from '../../src-main/contract/index.js';
import { startServer, type RunningServer } from '../../src-main/server/index.js';
import {
  createWebSocketTransport,
  type ConnectionStatus,
  type WebSocketTransport,
} from '../../src-renderer/src/api/websocketTransport.js';
import { fakeStudio } from './fakeStudio.js';
import { fakeRenderer } from './helpers.js';

const running: RunningServer[] = [];
const transports: WebSocketTransport[] = [];
afterEach(async () => {
  for (const t of transports.splice(0)) t.close();
  await Promise.all(running.splice(0).map((s) => s.close()));
});

// One token for every server of a test, so a server restarted on the same port takes the same address.
const TOKEN = 'transport-test-token';

async function serve(fake: ReturnType<typeof fakeStudio>, port = 0) {
  const { rendererDir } = await fakeRenderer();
  const server = await startServer({
    studio: fake.studio,
    port,
    rendererDir,
    version: '1.2.3',
    token: TOKEN,
  });
  running.push(server);
  return server;
}

function connect(port: number) {
  const transport = createWebSocketTransport({
    url: `ws://127.0.0.1:${port}/ws?token=${TOKEN}`,
    WebSocketImpl: WebSocket,
    reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
  });
  transports.push(transport);
  const statuses: ConnectionStatus[] = [];
  transport.onStatus((s) => statuses.push(s));
  const reach = (status: ConnectionStatus) =>
    new Promise<void>((resolve) => {
      const off = transport.onStatus((s) => {
        if (s !== status) return;
        queueMicrotask(() => off());
        resolve();
      });
    });
  return { transport, api: buildApi(transport), statuses, reach };
}

describe('the browser WebSocket transport against the real server', () => {
  it('queues invokes made before the socket opens and resolves each by id', async () => {
    const fake = fakeStudio();
    const server = await serve(fake);
    const { api, statuses, reach } = connect(server.port);
    expect(statuses).toEqual(['connecting']);
    const [info, bad] = await Promise.all([api.app.info(), api.project.open({ path: ' ' })]);
    expect(info).toMatchObject({ ok: true, value: { version: '9.9.9', platform: 'test' } });
    expect(bad).toEqual({ ok: false, code: 'INVALID_INPUT', message: 'path: must not be empty' });
    await reach('open');
    expect(statuses).toEqual(['connecting', 'open']);
    expect(fake.calls.map((c) => c.name)).toEqual(['app.info', 'project.open']);
  });

  it('fans events out by name to subscribers until they unsubscribe', async () => {
    const fake = fakeStudio();
    const server = await serve(fake);
    const { api, reach } = connect(server.port);
    await reach('open');
    const logs: string[] = [];
    const offLog = api.job.onLog((p) => logs.push(p.message));
    api.job.onLog((p) => logs.push(`second ${p.message}`));
    const changed: unknown[] = [];
    api.project.onChanged((p) => changed.push(p));
    fake.emit('job.log', { jobId: 'j', message: 'one' });
    fake.emit('project.changed', null);
    await expect.poll(() => changed).toEqual([null]);
    offLog();
    fake.emit('job.log', { jobId: 'j', message: 'two' });
    fake.emit('project.changed', null);
    await expect.poll(() => changed).toEqual([null, null]);
    expect(logs).toEqual(['one', 'second one', 'second two']);
  });

  it('answers waiting invokes with DISCONNECTED when the server goes, then reconnects with its subscriptions', async () => {
    const never = new Promise<ApiResult<unknown>>(() => undefined);
    const fake = fakeStudio({ 'job.list': () => never });
    const server = await serve(fake);
    const { api, statuses, reach } = connect(server.port);
    await reach('open');
    const messages: string[] = [];
    api.job.onLog((p) => messages.push(p.message));

    const waiting = api.job.list();
    await expect.poll(() => fake.calls.length).toBe(1);
    await server.close();
    expect(await waiting).toEqual({
      ok: false,
      code: 'DISCONNECTED',
      message: 'lost the connection to the VAE Studio server; reconnecting…',
    });
    expect(statuses.at(-1)).toBe('closed');

    const reopened = reach('open');
    const again = await serve(fake, server.port);
    await reopened;
    expect(statuses.filter((s) => s === 'open').length).toBe(2);
    expect(await api.app.info()).toMatchObject({ ok: true });
    fake.emit('job.log', { jobId: 'j', message: 'after reconnect' });
    await expect.poll(() => messages).toEqual(['after reconnect']);
    expect(again.port).toBe(server.port);
  });

  it('answers invokes made while the server is down with DISCONNECTED instead of leaving them hanging', async () => {
    const fake = fakeStudio();
    const server = await serve(fake);
    const { api, reach } = connect(server.port);
    await reach('open');
    await server.close();
    await reach('closed');
    expect(await api.app.info()).toMatchObject({ ok: false, code: 'DISCONNECTED' });
  });

  it('after close() answers every invoke with DISCONNECTED and stays closed', async () => {
    const fake = fakeStudio({ 'job.list': () => new Promise(() => undefined) });
    const server = await serve(fake);
    const { transport, api, statuses, reach } = connect(server.port);
    await reach('open');
    const waiting = api.job.list();
    await expect.poll(() => fake.calls.length).toBe(1);
    transport.close();
    const closed = {
      ok: false,
      code: 'DISCONNECTED',
      message: 'the connection to the VAE Studio server was closed',
    };
    expect(await waiting).toEqual(closed);
    expect(await api.app.info()).toEqual(closed);
    expect(statuses).toEqual(['connecting', 'open', 'closed']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(statuses.at(-1)).toBe('closed');
    const health = await fetch(`${server.url}api/health`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(await health.json()).toMatchObject({ clients: 0 });
  });
});
