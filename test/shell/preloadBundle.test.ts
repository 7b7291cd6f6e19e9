import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'vite';
import { beforeAll, describe, expect, it } from 'vitest';
import { requestNames } from '../../src-main/contract/index.js';
import { tempDir } from '../helpers/tinyData.js';

const configFile = fileURLToPath(new URL('../../vite.preload.config.ts', import.meta.url));
let bundle: string;
let computeBundle: string;

beforeAll(async () => {
  const outDir = await tempDir('vae-preload-');
  await build({ configFile, logLevel: 'silent', build: { outDir } });
  await build({ configFile, mode: 'compute', logLevel: 'silent', build: { outDir } });
  bundle = await readFile(join(outDir, 'preload.cjs'), 'utf8');
  computeBundle = await readFile(join(outDir, 'computePreload.cjs'), 'utf8');
});

/** Runs the bundle as a sandboxed preload would: a `require` that knows only 'electron', no `import`. */
function runAsSandboxedPreload() {
  const exposed = new Map<string, unknown>();
  const invoked: unknown[][] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
    ipcRenderer: {
      invoke: (...args: unknown[]) => {
        invoked.push(args);
        return Promise.resolve({ ok: true, value: null });
      },
      on: () => undefined,
      removeListener: () => undefined,
    },
    webUtils: { getPathForFile: () => '/dropped/file.png' },
  };
  const required: string[] = [];
  const sandboxRequire = (id: string) => {
    required.push(id);
    if (id === 'electron') return electron;
    throw new Error(`module not found: ${id}`);
  };
  const module = { exports: {} };
  runInNewContext(bundle, { require: sandboxRequire, module, exports: module.exports, console });
  return { exposed, invoked, required };
}

describe('the preload bundle (vite.preload.config.ts)', () => {
  it('is one CommonJS file whose only dependency is electron', () => {
    expect(bundle).not.toMatch(/^\s*(import|export)\s/m);
    expect(bundle).not.toMatch(/\bimport\(/);
    const requires = [...bundle.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]);
    expect(requires).toEqual(['electron']);
  });

  it('exposes vaeApi and vaeHost when run with only electron to require, and its API invokes over IPC', async () => {
    const { exposed, invoked, required } = runAsSandboxedPreload();
    expect(required).toEqual(['electron']);
    expect([...exposed.keys()].sort()).toEqual(['vaeApi', 'vaeHost']);
    const api = exposed.get('vaeApi') as { project: { current(): Promise<unknown> } };
    await expect(api.project.current()).resolves.toEqual({ ok: true, value: null });
    expect(invoked).toEqual([['vae:project.current', {}]]);
    const host = exposed.get('vaeHost') as { pathForFile(file: unknown): string };
    expect(host.pathForFile({})).toBe('/dropped/file.png');
    expect(requestNames.every((name) => bundle.includes(`"${name}"`))).toBe(true);
  });
});

describe('the compute window preload (vite.preload.config.ts --mode compute)', () => {
  it('requires only electron, exposes nothing, and hands each training port to the page', () => {
    const listeners = new Map<string, (event: { ports: unknown[] }) => void>();
    const posted: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: () => expect.fail('the compute preload exposes nothing') },
      ipcRenderer: {
        on: (channel: string, listener: (event: { ports: unknown[] }) => void) =>
          listeners.set(channel, listener),
      },
    };
    const required: string[] = [];
    const sandboxRequire = (id: string) => {
      required.push(id);
      if (id === 'electron') return electron;
      throw new Error(`module not found: ${id}`);
    };
    const module = { exports: {} };
    const page = {
      location: { origin: 'vae://compute' },
      postMessage: (...args: unknown[]) => posted.push(args),
    };
    runInNewContext(computeBundle, {
      require: sandboxRequire,
      module,
      exports: module.exports,
      ...page,
      console,
    });
    expect(required).toEqual(['electron']);
    expect([...listeners.keys()]).toEqual(['vae:training-port']);
    const port = { name: 'port2' };
    listeners.get('vae:training-port')!({ ports: [port] });
    expect(posted).toEqual([['vae-studio:training-port', 'vae://compute', [port]]]);
  });
});
