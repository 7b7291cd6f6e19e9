import { describe, expect, it } from 'vitest';
import type { BackendInfo } from '../../src-main/engine/index.js';
import {
  cachedDescription,
  chooseTrainingRoute,
  type RouteFacts,
} from '../../src-main/electron/trainingRoute.js';

function info(device: 'gpu' | 'cpu', backend: string, adapter?: string): BackendInfo {
  return {
    host: 'renderer',
    backend,
    device,
    package: `@tensorflow/tfjs-backend-${backend}`,
    reason: 'test',
    attempts: [],
    ...(adapter ? { adapter } : {}),
  };
}

function facts(cuda: boolean, window: BackendInfo | Error): RouteFacts & { asked: number } {
  const f = {
    asked: 0,
    cudaPackageInstalled: () => cuda,
    describeComputeWindow: () => {
      f.asked++;
      return window instanceof Error ? Promise.reject(window) : Promise.resolve(window);
    },
  };
  return f;
}

describe('where the desktop app trains', () => {
  it('sends webgpu and webgl to the compute window, the process backends to the job process, without probing', async () => {
    const f = facts(false, info('gpu', 'webgpu', 'NVIDIA RTX 4090'));
    expect(await chooseTrainingRoute('webgpu', f)).toMatchObject({ where: 'compute-window' });
    expect(await chooseTrainingRoute('webgl', f)).toMatchObject({ where: 'compute-window' });
    for (const p of ['tensorflow', 'wasm', 'cpu']) {
      expect(await chooseTrainingRoute(p, f)).toEqual({ where: 'process', why: `${p} was asked for` });
    }
    expect(f.asked).toBe(0);
  });

  it('auto: CUDA first; then a hardware adapter in the compute window; a software one loses to wasm', async () => {
    const cuda = facts(true, info('gpu', 'webgpu', 'NVIDIA RTX 4090'));
    expect(await chooseTrainingRoute('auto', cuda)).toEqual({
      where: 'process',
      why: '@tensorflow/tfjs-node-gpu is installed, and CUDA comes first',
    });
    expect(cuda.asked).toBe(0);

    expect(
      await chooseTrainingRoute('auto', facts(false, info('gpu', 'webgpu', 'apple m2 (metal-3)'))),
    ).toEqual({
      where: 'compute-window',
      why: 'the compute window has webgpu on apple m2 (metal-3)',
    });
    expect(
      await chooseTrainingRoute('auto', facts(false, info('cpu', 'webgpu', 'google swiftshader'))),
    ).toEqual({
      where: 'process',
      why: 'the compute window has only webgpu on google swiftshader, a software GPU; wasm is faster',
    });
    expect(
      await chooseTrainingRoute('auto', facts(false, new Error('the compute page did not load'))),
    ).toEqual({
      where: 'process',
      why: 'the compute window could not start (the compute page did not load)',
    });
  });

  it('asks the compute window once, but again after a failure', async () => {
    let calls = 0;
    let fail = true;
    const describe = cachedDescription(() => {
      calls++;
      return fail ? Promise.reject(new Error('not yet')) : Promise.resolve(info('gpu', 'webgl'));
    });
    await expect(describe()).rejects.toThrow('not yet');
    fail = false;
    await expect(describe()).resolves.toMatchObject({ backend: 'webgl' });
    await describe();
    expect(calls).toBe(2);
  });
});
