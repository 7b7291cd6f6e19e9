import { beforeEach, describe, expect, it } from 'vitest';
import { eventNames } from '../../../src-renderer/src/api/contract';
import {
  refreshAfterReconnect,
  useDatasetStore,
  useGenerationStore,
  useTrainingStore,
} from '../../../src-renderer/src/stores';
import { createFakeApi, installStores, ok, type FakeApi } from '../fakeApi';

let fake: FakeApi;
let unsubscribe: () => void;

beforeEach(() => {
  fake = createFakeApi();
  ({ unsubscribe } = installStores(fake));
});

describe('routeEvents', () => {
  it('subscribes once to every event and unsubscribes from all of them', () => {
    expect(eventNames.map((n) => [n, fake.listenerCount(n)])).toEqual(eventNames.map((n) => [n, 1]));
    unsubscribe();
    expect(eventNames.map((n) => fake.listenerCount(n))).toEqual(eventNames.map(() => 0));
  });

  it('routes job events by their kind', () => {
    fake.emit('job.started', { jobId: 'g', kind: 'generate', title: 'Generating 64 images' });
    expect(useGenerationStore().isRunning).toBe(true);
    expect(useDatasetStore().isImporting).toBe(false);
    expect(useTrainingStore().isRunning).toBe(false);
    fake.emit('job.log', { jobId: 'g', message: 'loaded checkpoint epoch 5' });
    expect(useGenerationStore().status).toBe('loaded checkpoint epoch 5');
  });

  it('after a reconnect, stops showing jobs that ended while the events could not arrive', async () => {
    fake.emit('job.started', { jobId: 'g', kind: 'generate', title: 'Generating' });
    fake.on('job.list', () => ok([{ jobId: 't', kind: 'train' as const }]));
    await refreshAfterReconnect(fake.api);
    expect(useGenerationStore().isRunning).toBe(false);
    expect(useTrainingStore().isRunning).toBe(true);
    expect(useTrainingStore().jobId).toBe('t');
  });
});
