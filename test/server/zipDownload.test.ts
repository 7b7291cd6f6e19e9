import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { folderZipUrl } from '../../src-main/contract/index.js';
import { startServer, type RunningServer } from '../../src-main/server/index.js';
import { readZip } from '../helpers/readZip.js';
import { tempDir } from '../helpers/tinyData.js';
import { fakeStudio } from './fakeStudio.js';
import { fakeRenderer } from './helpers.js';

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/** A GET whose body is kept as bytes. */
function getBytes(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

/** A run folder as a generation leaves it: class folders, manifests, a temporary file, a link out. */
async function runFolder() {
  const root = await tempDir('vae-zip-');
  const run = join(root, 'run-20250601-120000');
  await mkdir(join(run, 'cat'), { recursive: true });
  await mkdir(join(run, 'dog'), { recursive: true });
  await writeFile(join(run, 'cat', 'sample-s0-000000.png'), 'cat 0');
  await writeFile(join(run, 'dog', 'sample-s0-000000.png'), 'dog 0');
  await writeFile(join(run, 'manifest.jsonl'), '{}\n');
  await writeFile(join(run, 'dog', '.sample-s0-000001.png.abc123.tmp'), 'half');
  await writeFile(join(root, 'secret.txt'), 'secret');
  await symlink(join(root, 'secret.txt'), join(run, 'secret-link.txt'));
  return run;
}

async function start(outputFolder: Parameters<typeof fakeStudio>[1]) {
  const fake = fakeStudio({}, outputFolder);
  const { rendererDir } = await fakeRenderer();
  const server = await startServer({ studio: fake.studio, port: 0, rendererDir, version: '1' });
  running.push(server);
  return { server, auth: { Authorization: `Bearer ${server.token}` } };
}

describe('GET /api/zip', () => {
  it('streams an output folder as a zip of its files, in their folders, without temporary files or links', async () => {
    const run = await runFolder();
    const asked: string[] = [];
    const { server, auth } = await start((path) => {
      asked.push(path);
      return Promise.resolve({ ok: true, value: run });
    });
    const answer = await getBytes(server.port, folderZipUrl('/p/generated/run 1'), auth);
    expect(asked).toEqual(['/p/generated/run 1']);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/zip');
    expect(answer.headers['content-disposition']).toMatch(/^attachment; filename="run-20250601-120000.zip"/);
    const entries = readZip(answer.body);
    expect(entries.map((e) => e.name)).toEqual([
      'run-20250601-120000/cat/sample-s0-000000.png',
      'run-20250601-120000/dog/sample-s0-000000.png',
      'run-20250601-120000/manifest.jsonl',
    ]);
    expect(entries[1]!.data.toString()).toBe('dog 0');
  });

  it('answers a folder that is no output of the project with 403 and the studio’s words', async () => {
    const { server, auth } = await start((path) =>
      Promise.resolve({
        ok: false,
        code: 'NOT_AN_OUTPUT',
        message: `${path} cannot be downloaded from here`,
      }),
    );
    const answer = await getBytes(server.port, folderZipUrl('/home/ada'), auth);
    expect(answer.status).toBe(403);
    expect(answer.body.toString()).toBe('/home/ada cannot be downloaded from here\n');
  });

  it('needs the access token like every page, and a folder to name', async () => {
    const run = await runFolder();
    const { server, auth } = await start(() => Promise.resolve({ ok: true, value: run }));
    expect((await getBytes(server.port, folderZipUrl(run))).status).toBe(401);
    const none = await getBytes(server.port, '/api/zip', auth);
    expect(none.status).toBe(400);
    expect(none.body.toString()).toMatch(/say which folder to download/);
  });
});
