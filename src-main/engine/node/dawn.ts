/**
 * WebGPU for tfjs in plain Node, through Dawn (the `webgpu` package's `dawn.node`).
 *
 * tfjs-backend-webgpu registers its backend only when `navigator.gpu` exists as the package loads, and asks
 * `navigator.gpu` for its adapter, so Dawn's `GPU` is installed there (and its `GPUBufferUsage`, `GPUMapMode`, …
 * constants on `globalThis`) before the package is imported. Both are added only where missing: a `navigator`
 * that already has a `gpu` is used as it is. 'auto' looks for an adapter in a child process first (see
 * {@link FindAdapterOptions.isolated}).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { registerWebGpuKernelFixes } from '../webgpu/kernels.js';

/** A WebGPU adapter, in words. */
export interface DawnAdapter {
  /** Vendor, device and API, e.g. "NVIDIA H100 80GB HBM3 (vulkan)", "Google SwiftShader device subzero (CPU, vulkan)". */
  name: string;
  /** False for software adapters (SwiftShader, lavapipe): they run on the CPU, where wasm is faster. */
  hardware: boolean;
}

/** What {@link findDawnAdapter} found, or why it found nothing. */
export type DawnProbe = { ok: true; adapter: DawnAdapter } | { ok: false; detail: string };

/** An adapter's `GPUAdapterInfo`, the fields used here (the full WebGPU types are `@webgpu/types`). */
export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}
interface Gpu {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<{
    info: GpuAdapterInfo;
  } | null>;
}
interface DawnModule {
  create(flags: string[]): Gpu;
  globals: Record<string, unknown>;
}

/** Dawn's API when none is forced with DAWNNODE_BACKEND (dawn/node/binding/GPU.cpp). */
const DEFAULT_API: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'vulkan',
  darwin: 'metal',
  win32: 'd3d12',
};

const VENDOR_NAMES: Record<string, string> = {
  nvidia: 'NVIDIA',
  amd: 'AMD',
  intel: 'Intel',
  google: 'Google',
  apple: 'Apple',
  qualcomm: 'Qualcomm',
  arm: 'Arm',
  microsoft: 'Microsoft',
  mesa: 'Mesa',
};

const requireHere = createRequire(import.meta.url);
const run = promisify(execFile);

/** Longest wait for the child's adapter probe (enumerating Vulkan drivers takes about 0.3 s). */
const PROBE_TIMEOUT_MS = 30_000;

/** The GPU this module created; reused so one process never starts two Dawn instances. */
let dawnGpu: Gpu | undefined;

/** Options of {@link findDawnAdapter}. */
export interface FindAdapterOptions {
  /**
   * Look in a child process: Dawn and the Vulkan drivers it loads print warnings to stderr when there is no
   * usable adapter, and a broken driver can crash the process that enumerates it. What 'auto' uses, so that
   * asking for nothing in particular stays quiet and safe.
   */
  isolated?: boolean;
}

/**
 * Finds the adapter tfjs-backend-webgpu would use (same power preference), starting Dawn and installing it as
 * `navigator.gpu` first if nothing has (unless `isolated`). Never throws: every failure comes back as a reason a
 * user can act on.
 */
export async function findDawnAdapter(options: FindAdapterOptions = {}): Promise<DawnProbe> {
  if (process.versions.electron !== undefined) {
    return {
      ok: false,
      detail:
        "Dawn cannot run inside Electron's Node (V8's memory cage refuses its buffers: " +
        '"External buffers are not allowed"); the desktop app runs WebGPU in a renderer instead',
    };
  }
  const api =
    process.env.DAWNNODE_BACKEND?.trim().toLowerCase() || DEFAULT_API[process.platform] || 'default API';
  // The preference tfjs-backend-webgpu asks with, so this is the adapter it will get.
  const powerPreference = lowPowerAsked() ? 'low-power' : 'high-performance';
  let info: GpuAdapterInfo | null;
  if (options.isolated === true && dawnGpu === undefined) {
    const probed = await probeInChild(powerPreference);
    if ('detail' in probed) return { ok: false, detail: probed.detail };
    info = probed.info;
  } else {
    let gpu: Gpu;
    try {
      gpu = await installGpu();
    } catch (err) {
      return { ok: false, detail: describeDawnLoadError(err) };
    }
    try {
      info = (await gpu.requestAdapter({ powerPreference }))?.info ?? null;
    } catch (err) {
      return { ok: false, detail: `Dawn could not look for a ${api} adapter: ${firstLine(err)}` };
    }
  }
  if (info === null) return { ok: false, detail: noAdapterReason(api) };
  return { ok: true, adapter: describeAdapter(info, api) };
}

/** Prints the adapter's info as JSON (null for none); argv: the webgpu package's URL, the power preference. */
const PROBE_SCRIPT = `
const { create } = await import(process.argv[1]);
const i = (await create([]).requestAdapter({ powerPreference: process.argv[2] }))?.info;
const keys = ['vendor', 'architecture', 'device', 'description', 'isFallbackAdapter'];
process.stdout.write(JSON.stringify(i ? Object.fromEntries(keys.map((k) => [k, i[k]])) : null));`;

/** {@link findDawnAdapter} in a child Node process, with this process's environment. */
async function probeInChild(
  powerPreference: string,
): Promise<{ info: GpuAdapterInfo | null } | { detail: string }> {
  let url: string;
  try {
    url = pathToFileURL(requireHere.resolve('webgpu')).href;
  } catch (err) {
    return { detail: describeDawnLoadError(err) };
  }
  const args = ['--input-type=module', '-e', PROBE_SCRIPT, url, powerPreference];
  try {
    const { stdout } = await run(process.execPath, args, { env: process.env, timeout: PROBE_TIMEOUT_MS });
    return { info: JSON.parse(stdout) as GpuAdapterInfo | null };
  } catch (err) {
    const { stderr = '', signal, killed } = err as { stderr?: string; signal?: string; killed?: boolean };
    if (killed === true) {
      return { detail: `Dawn's adapter probe did not finish within ${PROBE_TIMEOUT_MS / 1000} s` };
    }
    // The child's last words are Dawn's or Node's; the lines before are driver chatter.
    const last = stderr
      .trim()
      .split('\n')
      .filter((l) => /error|cannot|couldn't/i.test(l))
      .at(-1);
    const how = signal ? `was killed by ${signal}` : 'failed';
    return { detail: `Dawn's adapter probe ${how}${last ? `: ${last.trim()}` : ''}` };
  }
}

/**
 * Loads tfjs-backend-webgpu (after {@link findDawnAdapter} found an adapter), activates it and checks that a
 * kernel really runs. Resolves to what went wrong, or undefined when the backend is active and working.
 */
export async function activateDawnWebGpu(): Promise<string | undefined> {
  await import('@tensorflow/tfjs-backend-webgpu');
  if (tf.findBackendFactory('webgpu') === null) {
    return '@tensorflow/tfjs-backend-webgpu was loaded before navigator.gpu existed, so it registered no backend';
  }
  registerWebGpuKernelFixes();
  if (!(await tf.setBackend('webgpu')))
    return 'the adapter was found but the backend failed to start (see the warning above)';
  // Asynchronous read: WebGPU has no synchronous download outside a browser's canvas path.
  const sum = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)));
  try {
    const three = (await sum.data())[0];
    return three === 3 ? undefined : `started, but 1 + 2 gave ${three}`;
  } finally {
    sum.dispose();
  }
}

/** tfjs's WEBGPU_USE_LOW_POWER_GPU flag; the package registers it as it loads, so it is false until then. */
function lowPowerAsked(): boolean {
  try {
    return tf.env().getBool('WEBGPU_USE_LOW_POWER_GPU');
  } catch {
    return false;
  }
}

/** `navigator.gpu` as it is, else a Dawn GPU installed there (with the WebGPU constants it needs). */
async function installGpu(): Promise<Gpu> {
  const host = globalThis as { navigator?: { gpu?: Gpu } };
  const existing = host.navigator?.gpu;
  if (existing !== undefined) return existing;
  if (dawnGpu === undefined) {
    const dawn = (await import('webgpu')) as unknown as DawnModule;
    for (const [name, value] of Object.entries(dawn.globals)) {
      if (!(name in globalThis))
        Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
    }
    dawnGpu = dawn.create([]);
  }
  const gpu = dawnGpu;
  const nav = host.navigator;
  // Node ≥ 21 has a navigator (a getter on globalThis) without gpu: extend it rather than replace it.
  if (nav !== undefined && Object.isExtensible(nav)) {
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
  return gpu;
}

/** Why the `webgpu` package would not load. */
function describeDawnLoadError(err: unknown): string {
  const message = firstLine(err);
  if (/Cannot find (package|module) 'webgpu'/.test(message)) {
    return 'package not installed: npm install webgpu (Dawn, the WebGPU implementation for Node)';
  }
  if (/dawn\.node/.test(message)) {
    return `the webgpu package has no Dawn build for ${process.platform}-${process.arch} (${message})`;
  }
  return `Dawn failed to load: ${message}`;
}

/** Why Dawn found no adapter, with the fix. */
function noAdapterReason(api: string): string {
  if (api !== 'vulkan' || process.platform !== 'linux') {
    return `Dawn found no ${api} adapter: update the GPU driver (DAWNNODE_BACKEND picks another API)`;
  }
  if (!hasVulkanLoader()) {
    return (
      'Dawn found no Vulkan adapter: the Vulkan loader libvulkan.so.1 is missing; install libvulkan1 ' +
      '(Debian/Ubuntu) or vulkan-loader, and a Vulkan driver'
    );
  }
  const icd = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES;
  const missing = (icd ?? '').split(':').filter((f) => f !== '' && !existsSync(f));
  if (missing.length > 0) {
    return `Dawn found no Vulkan adapter: VK_ICD_FILENAMES names ${missing.join(', ')}, which does not exist`;
  }
  return (
    "Dawn found no usable Vulkan adapter: install the GPU's Vulkan driver (Dawn refuses Mesa's lavapipe); " +
    'with no GPU, VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json gives a CPU adapter'
  );
}

/** Whether the dynamic linker can find libvulkan.so.1 (LD_LIBRARY_PATH, its cache, the usual folders). */
export function hasVulkanLoader(): boolean {
  const name = 'libvulkan.so.1';
  const folders = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(delimiter).filter((d) => d !== ''),
    '/lib',
    '/usr/lib',
    '/lib64',
    '/usr/lib64',
    `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
  ];
  if (folders.some((d) => existsSync(join(d, name)))) return true;
  try {
    return readFileSync('/etc/ld.so.cache').includes(name);
  } catch {
    return false;
  }
}

/**
 * Words for an adapter, and whether it is hardware. Dawn gives `vendor` and `device` as normalized identifiers ("nvidia",
 * "nvidia-h100-80gb-hbm3") and `description` as the driver's own words ("SwiftShader driver 5.0.0"), whose
 * casing is borrowed where a device word appears in it.
 */
export function describeAdapter(info: GpuAdapterInfo, api: string): DawnAdapter {
  const all = [info.vendor, info.architecture, info.device, info.description].join(' ');
  const hardware = info.isFallbackAdapter !== true && !/swiftshader|llvmpipe|lavapipe|softpipe/i.test(all);
  const vendor = VENDOR_NAMES[info.vendor] ?? info.vendor;
  const described = new Map(info.description.split(/[^A-Za-z0-9]+/).map((w) => [w.toLowerCase(), w]));
  const words = (info.device || info.architecture)
    .split('-')
    .filter((w, i) => w !== '' && !(i === 0 && w === info.vendor))
    .map((w) => described.get(w) ?? (/\d/.test(w) ? w.toUpperCase() : w));
  const name = [vendor, ...words].filter((w) => w !== '').join(' ') || info.description || 'unnamed adapter';
  return { name: `${name} (${hardware ? '' : 'CPU, '}${api})`, hardware };
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n', 1)[0] ?? message;
}
