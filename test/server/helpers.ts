import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { ServerMessage } from '../../src-main/contract/wire.js';
import { tempDir } from '../helpers/tinyData.js';

/** A built-renderer stand-in: `<root>/renderer` with index.html and an asset, and a secret beside it. */
export async function fakeRenderer(): Promise<{ root: string; rendererDir: string }> {
  const root = await tempDir('vae-serve-');
  const rendererDir = join(root, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>VAE Studio</title>');
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
  await writeFile(join(rendererDir, 'assets', 'app.css'), 'body{}');
  await writeFile(join(root, 'package.json'), '{"secret":true}');
  return { root, rendererDir };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An HTTP GET with the path sent exactly as given (fetch would normalise `..` away). */
export function rawGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket client that records every message and can wait for one that matches. */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  private waiters: { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as ServerMessage;
      this.messages.push(message);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(message)) return true;
        w.resolve(message);
        return false;
      });
    });
  }

  /** Connects and resolves once open; rejects with the server's status for a refused upgrade. */
  static connect(
    url: string,
    options: { headers?: Record<string, string>; origin?: string; autoPong?: boolean } = {},
  ): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, {
        headers: options.headers,
        origin: options.origin,
        autoPong: options.autoPong ?? true,
      });
      const client = new TestClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => reject(Object.assign(new Error(body), { status: res.statusCode })));
      });
      socket.once('error', reject);
    });
  }

  /** The first message (already received or coming) that matches. */
  next(match: (m: ServerMessage) => boolean): Promise<ServerMessage> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Sends an `invoke` and waits for its result. */
  async invoke(id: number | string, name: string, input: unknown = {}): Promise<ServerMessage> {
    this.sendText(JSON.stringify({ type: 'invoke', id, name, input }));
    return this.next((m) => m.type === 'result' && m.id === id);
  }

  /** Resolves with the close code and reason once the connection is closed. */
  closed(): Promise<{ code: number; reason: string }> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve({ code: 1006, reason: '' });
      this.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  sendText(text: string): void {
    this.socket.send(text);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

/** What a refused WebSocket upgrade was answered with. */
export async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
  } catch (err) {
    return { status: (err as { status?: number }).status ?? 0, message: (err as Error).message };
  }
  throw new Error('the connection was accepted');
}
