import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  buildApi,
  eventNames,
  events,
  requestNames,
  requests,
  trainInputSchema,
  describeZodError,
  type ApiResult,
  type EventName,
  type Transport,
  type VaeApi,
} from '../../src-main/contract/index.js';

function recordingTransport() {
  const calls: { name: string; input: unknown }[] = [];
  const listeners = new Map<EventName, ((p: unknown) => void)[]>();
  const transport: Transport = {
    invoke: (name, input) => {
      calls.push({ name, input });
      return Promise.resolve({ ok: true, value: { echoed: name } });
    },
    subscribe: (name, listener) => {
      listeners.set(name, [...(listeners.get(name) ?? []), listener]);
      return () =>
        listeners.set(
          name,
          (listeners.get(name) ?? []).filter((l) => l !== listener),
        );
    },
  };
  return { transport, calls, listeners };
}

describe('contract API', () => {
  it('gives every request a method named after it and sends its name and input', async () => {
    const { transport, calls } = recordingTransport();
    const api = buildApi(transport) as unknown as Record<string, Record<string, (i?: unknown) => unknown>>;
    for (const name of requestNames) {
      const [ns, member] = name.split('.') as [string, string];
      expect(typeof api[ns]?.[member], name).toBe('function');
    }
    await buildApi(transport).training.start({ latentDim: 8 });
    await buildApi(transport).project.current();
    expect(calls.slice(-2)).toEqual([
      { name: 'training.start', input: { latentDim: 8 } },
      { name: 'project.current', input: {} },
    ]);
  });

  it('gives every event an on… method whose unsubscribe stops delivery', () => {
    const { transport, listeners } = recordingTransport();
    const api = buildApi(transport);
    for (const name of eventNames) {
      const [ns, member] = name.split('.') as [string, string];
      const method = `on${member[0]!.toUpperCase()}${member.slice(1)}`;
      expect(typeof (api as unknown as Record<string, Record<string, unknown>>)[ns]?.[method], name).toBe(
        'function',
      );
    }
    const seen: number[] = [];
    const off = api.training.onProgress((p) => seen.push(p.epoch));
    listeners.get('training.progress')![0]!({ epoch: 3 });
    off();
    expect(listeners.get('training.progress')).toEqual([]);
    expect(seen).toEqual([3]);
  });

  it('types results and inputs from the schemas', () => {
    expectTypeOf<ReturnType<VaeApi['project']['open']>>().toEqualTypeOf<
      Promise<ApiResult<import('../../src-main/contract/index.js').ProjectSummary>>
    >();
    expectTypeOf<Parameters<VaeApi['training']['start']>[0]>().toMatchTypeOf<
      { latentDim?: number; beta?: number } | undefined
    >();
  });

  it('leaves training settings out for the main side to default for the images, and names each bad field', () => {
    // The latent size's default depends on the images (16 for 28×28), which only the main side knows.
    expect(trainInputSchema.parse({})).toEqual({ backend: 'auto' });
    const bad = trainInputSchema.safeParse({ latentDim: 0, beta: 'x', imageSize: 30 });
    expect(bad.success).toBe(false);
    const message = describeZodError(bad.error!);
    expect(message).toMatch(/latentDim: /);
    expect(message).toMatch(/beta: /);
    expect(message).toMatch(/imageSize: must be one of 16, 28, 32, 64, 128, 256/);
  });

  it('has a doc line for every request and a schema for every event', () => {
    for (const name of requestNames) expect(requests[name].doc.length, name).toBeGreaterThan(10);
    for (const name of eventNames) expect(typeof events[name].safeParse, name).toBe('function');
  });
});
