import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BOUNDARY_CODES } from '../../src-main/contract/index.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src-main/server/index.js';
import { UserError } from '../../src-main/util/errors.js';
import { fakeStudio } from './fakeStudio.js';
import { TestClient, fakeRenderer, rawGet, refusal } from './helpers.js';

const running: RunningServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(options: Partial<ServerOptions> = {}) {
  const fake = fakeStudio();
  const { rendererDir } = await fakeRenderer();
  const server = await startServer({
    studio: fake.studio,
    port: 0,
    rendererDir,
    version: '1.2.3',
    ...options,
  });
  running.push(server);
  const auth: Record<string, string> = server.token ? { Authorization: `Bearer ${server.token}` } : {};
  const query = server.token ? `?token=${server.token}` : '';
  return { server, fake, auth, wsUrl: `ws://127.0.0.1:${server.port}/ws${query}` };
}

async function connect(url: string, options: Parameters<typeof TestClient.connect>[1] = {}) {
  const client = await TestClient.connect(url, options);
  clients.push(client);
  return client;
}

describe('the WebSocket session', () => {
  it('greets with hello and answers each invoke with a result of the same id', async () => {
    const { wsUrl } = await start();
    const client = await connect(wsUrl);
    expect(await client.next((m) => m.type === 'hello')).toEqual({
      type: 'hello',
      version: '1.2.3',
      host: 'browser',
    });

    client.sendText(JSON.stringify({ type: 'invoke', id: 7, name: 'app.info', input: {} }));
    client.sendText(JSON.stringify({ type: 'invoke', id: 'b', name: 'project.open', input: { path: '' } }));
    client.sendText(JSON.stringify({ type: 'invoke', id: 9, name: 'no.such' }));
    const info = await client.next((m) => m.type === 'result' && m.id === 7);
    expect(info).toMatchObject({ type: 'result', id: 7, result: { ok: true, value: { platform: 'test' } } });
    expect(await client.next((m) => m.type === 'result' && m.id === 'b')).toEqual({
      type: 'result',
      id: 'b',
      result: { ok: false, code: 'INVALID_INPUT', message: 'path: must not be empty' },
    });
    expect(await client.next((m) => m.type === 'result' && m.id === 9)).toMatchObject({
      result: { ok: false, code: 'UNKNOWN_REQUEST' },
    });
  });

  it('broadcasts every studio event to every connected client', async () => {
    const { wsUrl, fake } = await start();
    const [a, b] = [await connect(wsUrl), await connect(wsUrl)];
    const payload = { jobId: 'j1', kind: 'train', message: 'epoch 1 done' } as const;
    fake.emit('job.log', payload);
    fake.emit('project.changed', null);
    for (const client of [a, b]) {
      expect(await client.next((m) => m.type === 'event' && m.name === 'job.log')).toEqual({
        type: 'event',
        name: 'job.log',
        payload,
      });
      expect(await client.next((m) => m.type === 'event' && m.name === 'project.changed')).toEqual({
        type: 'event',
        name: 'project.changed',
        payload: null,
      });
    }
  });

  it('answers malformed messages with INVALID_INPUT and keeps the connection open', async () => {
    const { wsUrl } = await start();
    const client = await connect(wsUrl);
    client.sendText('{not json');
    const notJson = await client.next((m) => m.type === 'result' && m.id === null);
    expect(notJson).toMatchObject({ result: { ok: false, code: BOUNDARY_CODES.invalidInput } });
    expect(notJson.type === 'result' && !notJson.result.ok && notJson.result.message).toMatch(
      /^message is not JSON/,
    );

    client.sendText(JSON.stringify({ type: 'invoke', id: 3 }));
    const noName = await client.next((m) => m.type === 'result' && m.id === 3);
    expect(noName.type === 'result' && !noName.result.ok && noName.result.message).toMatch(
      /^bad message: name: /,
    );

    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    await client.next((m) => m.type === 'result' && !m.result.ok && m.result.message.includes('not binary'));

    client.sendText(JSON.stringify({ type: 'invoke', id: 4, name: 'app.info' }));
    expect(await client.next((m) => m.type === 'result' && m.id === 4)).toMatchObject({
      result: { ok: true },
    });
    expect(client.socket.readyState).toBe(1);
  });

  it('closes clients with 1001 and stops listening to the studio on close()', async () => {
    const { server, wsUrl, fake } = await start();
    const client = await connect(wsUrl);
    expect(fake.listenerCount()).toBe(1);
    const code = new Promise<number>((resolve) => client.socket.once('close', resolve));
    await server.close();
    expect(await code).toBe(1001);
    expect(fake.listenerCount()).toBe(0);
    await expect(rawGet(server.port, '/')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses upgrades on any path but /ws', async () => {
    const { server } = await start();
    const refused = await refusal(TestClient.connect(`ws://127.0.0.1:${server.port}/socket`));
    expect(refused).toEqual({
      status: 404,
      message: 'no WebSocket endpoint at /socket; the app connects to /ws\n',
    });
  });
});

describe('the HTTP side', () => {
  it('serves index.html for / and assets with their content types under a strict CSP', async () => {
    const { server, auth } = await start();
    const index = await rawGet(server.port, '/', auth);
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body).toBe('<!doctype html><title>VAE Studio</title>');
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("img-src 'self' data: blob:");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port} wss://127.0.0.1:${server.port}`);
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(index.headers['x-content-type-options']).toBe('nosniff');

    const js = await rawGet(server.port, '/assets/app.js', auth);
    expect([js.status, js.headers['content-type'], js.body]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'console.log("app")',
    ]);
    expect((await rawGet(server.port, '/assets/app.css', auth)).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
    const missing = await rawGet(server.port, '/assets/none.js', auth);
    expect([missing.status, missing.body]).toEqual([404, 'not found: /assets/none.js\n']);
    expect((await rawGet(server.port, '/assets', auth)).status).toBe(404);
  });

  it('refuses paths that lead out of the renderer folder, however they are spelled', async () => {
    const { server, auth } = await start();
    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E%2Fpackage.json',
      '/..%2fpackage.json',
      '/assets/..%2f..%2fpackage.json',
      '/..%5cpackage.json',
      '/..\\package.json',
    ]) {
      const res = await rawGet(server.port, path, auth);
      expect([path, res.status, res.body]).toEqual([
        path,
        403,
        'refused: the path leads outside the VAE Studio app\n',
      ]);
    }
    expect((await rawGet(server.port, '/%252e%252e/package.json', auth)).status).toBe(404);
    expect((await rawGet(server.port, '/%E0%A4%A', auth)).status).toBe(400);
    expect((await rawGet(server.port, '/a%00b', auth)).status).toBe(400);
  });

  it('answers 503 with how to build when the renderer is missing, while /api/health still works', async () => {
    const { server, auth } = await start({ rendererDir: join((await fakeRenderer()).root, 'nope') });
    const page = await rawGet(server.port, '/', auth);
    expect(page.status).toBe(503);
    expect(page.body).toMatch(/has not been built yet/);
    expect(page.body).toContain('Run `npm run build`');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    const health = await rawGet(server.port, '/api/health', auth);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({
      ok: true,
      name: 'vae-studio',
      version: '1.2.3',
      host: 'browser',
      clients: 0,
    });
  });

  it('counts connected clients in /api/health and answers 404 for other API paths and 405 for POST', async () => {
    const { server, wsUrl, auth } = await start();
    await connect(wsUrl);
    expect(JSON.parse((await rawGet(server.port, '/api/health', auth)).body)).toMatchObject({ clients: 1 });
    const other = await rawGet(server.port, '/api/nothing', auth);
    expect([other.status, JSON.parse(other.body)]).toEqual([
      404,
      { ok: false, code: 'NOT_FOUND', message: 'no such API endpoint: /api/nothing' },
    ]);
    const post = await fetch(`${server.url}api/health`, { method: 'POST', headers: auth });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});

describe('access control', () => {
  it('requires a generated token on 0.0.0.0: 401 without it, a cookie from ?token=, or a bearer header', async () => {
    const { server } = await start({ host: '0.0.0.0' });
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(server.loginUrl).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    const token = server.token!;

    const denied = await rawGet(server.port, '/');
    expect(denied.status).toBe(401);
    expect(denied.body).toContain('needs its access token here (no access token was given)');
    expect(denied.body).toContain('?token=…');
    expect(denied.headers['www-authenticate']).toBe('Bearer realm="VAE Studio"');
    expect((await rawGet(server.port, '/api/health')).status).toBe(401);
    expect((await rawGet(server.port, '/?token=wrong')).body).toContain('the token in the address is wrong');

    const login = await rawGet(server.port, `/assets/app.js?x=1&token=${token}`);
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/assets/app.js?x=1');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toBe(`vae_studio_token_${server.port}=${token}; Path=/; HttpOnly; SameSite=Strict`);
    const withCookie = await rawGet(server.port, '/', { Cookie: `other=1; ${cookie.split(';')[0]!}` });
    expect(withCookie.status).toBe(200);
    expect((await rawGet(server.port, '/', { Authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await rawGet(server.port, '/', { Authorization: 'Bearer nope' })).status).toBe(401);
    expect((await rawGet(server.port, `//evil.example/?token=${token}`)).headers.location).toBe('/');

    const wsUrl = `ws://127.0.0.1:${server.port}/ws`;
    const refused = await refusal(TestClient.connect(wsUrl));
    expect(refused.status).toBe(401);
    expect(refused.message).toContain('Authorization: Bearer <token>');
    expect((await refusal(TestClient.connect(`${wsUrl}?token=nope`))).status).toBe(401);
    for (const client of [
      await connect(wsUrl, { headers: { Cookie: cookie.split(';')[0]! } }),
      await connect(`${wsUrl}?token=${token}`),
      await connect(wsUrl, { headers: { Authorization: `Bearer ${token}` } }),
    ]) {
      expect(await client.next((m) => m.type === 'hello')).toMatchObject({ type: 'hello' });
    }
  });

  it('enforces a token given on loopback and uses it as given', async () => {
    const { server } = await start({ token: 'let-me-in' });
    expect([server.token, server.loginUrl]).toEqual(['let-me-in', `${server.url}?token=let-me-in`]);
    expect((await rawGet(server.port, '/')).status).toBe(401);
    expect((await rawGet(server.port, '/', { Authorization: 'Bearer let-me-in' })).status).toBe(200);
    await expect(start({ token: 'no;cookies' })).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('requires a token on loopback too: the printed address sets a cookie that the WebSocket accepts', async () => {
    const { server } = await start();
    const token = server.token!;
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(server.loginUrl).toBe(`http://127.0.0.1:${server.port}/?token=${token}`);
    expect((await rawGet(server.port, '/')).status).toBe(401);
    expect((await rawGet(server.port, '/api/health')).status).toBe(401);
    const wsUrl = `ws://127.0.0.1:${server.port}/ws`;
    const refused = await refusal(TestClient.connect(wsUrl));
    expect(refused.status).toBe(401);
    expect(refused.message).toContain('no access token was given');

    // What a browser does with the printed address: follow the redirect, keep the cookie, open the socket.
    const login = await rawGet(server.port, `/?token=${token}`);
    expect([login.status, login.headers.location]).toEqual([302, '/']);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect(String(login.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Strict$/);
    expect((await rawGet(server.port, '/', { Cookie: cookie })).status).toBe(200);
    const client = await connect(wsUrl, { headers: { Cookie: cookie }, origin: server.url.slice(0, -1) });
    expect(await client.next((m) => m.type === 'hello')).toMatchObject({ version: '1.2.3' });
    expect((await refusal(TestClient.connect(wsUrl, { headers: { Cookie: `${cookie}x` } }))).status).toBe(
      401,
    );
  });

  it('keeps the Host and Origin checks on loopback, token or not', async () => {
    for (const options of [{}, { noToken: true }]) {
      const { server, wsUrl, auth } = await start(options);
      expect((await rawGet(server.port, '/', { ...auth, Host: `localhost:${server.port}` })).status).toBe(
        200,
      );
      const rebound = await rawGet(server.port, '/', { ...auth, Host: `evil.example:${server.port}` });
      expect(rebound.status).toBe(403);
      expect(rebound.body).toContain('answers only to localhost, 127.0.0.1 or [::1]');

      const foreign = await refusal(TestClient.connect(wsUrl, { origin: 'https://evil.example' }));
      expect(foreign.status).toBe(403);
      expect(foreign.message).toContain('origin https://evil.example is not one of them');
      expect(
        (await refusal(TestClient.connect(wsUrl, { origin: `http://localhost:${server.port}` }))).status,
      ).toBe(403);
      expect((await refusal(TestClient.connect(wsUrl, { origin: 'null' }))).status).toBe(403);
      const own = await connect(wsUrl, { origin: `http://127.0.0.1:${server.port}` });
      expect(await own.next((m) => m.type === 'hello')).toMatchObject({ version: '1.2.3' });
    }
  });

  it('serves loopback without a token only when asked (noToken), and never another address', async () => {
    const { server, wsUrl } = await start({ noToken: true });
    expect([server.token, server.loginUrl]).toEqual([null, server.url]);
    expect((await rawGet(server.port, '/')).status).toBe(200);
    expect(await (await connect(wsUrl)).next((m) => m.type === 'hello')).toMatchObject({ type: 'hello' });
    await expect(start({ noToken: true, host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'NO_TOKEN_OFF_LOOPBACK',
      message: expect.stringContaining('refusing to serve 0.0.0.0 without a token') as unknown,
    });
  });
});

describe('listening', () => {
  it('rejects with PORT_IN_USE naming the port and suggesting --port', async () => {
    const { server } = await start();
    const second = await start({ port: server.port }).catch((err: unknown) => err);
    expect(second).toBeInstanceOf(UserError);
    expect((second as UserError).code).toBe('PORT_IN_USE');
    expect((second as UserError).message).toBe(
      `port ${server.port} on 127.0.0.1 is already in use (is another vae-studio serve running?); choose another with --port <n>`,
    );
  });
});
