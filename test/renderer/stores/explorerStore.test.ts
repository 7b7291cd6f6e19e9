import { nextTick } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExplorerModel, ExplorerStart } from '../../../src-main/contract/explore';
import { useExplorerStore } from '../../../src-renderer/src/stores';
import { createFakeApi, installStores, ok, type FakeApi } from '../fakeApi';
import { modelSummary, projectSummary } from '../fixtures';

const model: ExplorerModel = {
  checkpoint: '/p/checkpoints/latest',
  epoch: 5,
  latentDim: 2,
  imageSize: 28,
  channels: 1,
  dims: [
    { dim: 1, kl: 2, sd: 1, active: true },
    { dim: 0, kl: 0.001, sd: 0.01, active: false },
  ],
  measuredOn: 10,
};

/** A promise with its resolve function, to answer a request when the test says so. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

let fake: FakeApi;

beforeEach(async () => {
  fake = createFakeApi();
  installStores(fake);
  fake.emit('project.changed', projectSummary({ model: modelSummary(5) }));
  await nextTick();
});

describe('useExplorerStore', () => {
  it('keeps the image the user picked while the model was loading, not the origin', async () => {
    const modelAnswer = deferred<void>();
    fake.on('explorer.model', async () => (await modelAnswer.promise, ok(model)));
    const starts: Record<string, ReturnType<typeof deferred<ExplorerStart>>> = {
      origin: deferred(),
      image: deferred(),
    };
    fake.on('explorer.start', async ({ from }) =>
      ok(await starts['origin' in from ? 'origin' : 'image']!.promise),
    );
    const store = useExplorerStore();
    const opening = store.open();
    const picking = store.startFrom({ datasetIndex: 3 });
    modelAnswer.resolve();
    starts.image!.resolve({
      z: [0.5, -1],
      image: 'data:image/png;base64,SU1H',
      origin: 'dataset image a/3.png',
    });
    await picking;
    await opening;
    expect(fake.inputsOf('explorer.start').map((i) => i.from)).toEqual([{ datasetIndex: 3 }]);
    expect(store.origin).toBe('dataset image a/3.png');
    expect(store.z).toEqual([0.5, -1]);
  });

  it('shows the newest start when two answers come back out of order', async () => {
    fake.on('explorer.model', () => ok(model));
    const answers = [deferred<ExplorerStart>(), deferred<ExplorerStart>()];
    let call = 0;
    fake.on('explorer.start', async () => ok(await answers[call++]!.promise));
    const store = useExplorerStore();
    const first = store.startFrom({ datasetIndex: 1 });
    const second = store.startFrom({ datasetIndex: 2 });
    answers[1]!.resolve({ z: [2, 2], image: 'data:image/png;base64,Mg', origin: 'dataset image a/2.png' });
    await second;
    answers[0]!.resolve({ z: [1, 1], image: 'data:image/png;base64,MQ', origin: 'dataset image b/1.png' });
    await first;
    expect(store.origin).toBe('dataset image a/2.png');
    expect(store.z).toEqual([2, 2]);
  });

  it('opens at the origin when nothing was picked', async () => {
    fake.on('explorer.model', () => ok(model));
    fake.on('explorer.start', ({ from }) =>
      ok({ z: [0, 0], image: 'data:image/png;base64,MA', origin: 'origin' in from ? 'the origin' : '?' }),
    );
    const store = useExplorerStore();
    expect(await store.open()).toBe(true);
    expect(store.origin).toBe('the origin');
    expect(store.sliders.map((d) => d.dim)).toEqual([1]);
  });
});
