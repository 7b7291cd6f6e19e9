import { nextTick } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import { useGenerationStore } from '../../../src-renderer/src/stores';
import { createFakeApi, installStores, ok, settle, type FakeApi } from '../fakeApi';
import { conditionalModel, modelSummary, projectSummary } from '../fixtures';

let fake: FakeApi;

beforeEach(async () => {
  fake = createFakeApi();
  fake.on('generation.start', () => ok({ jobId: 'gen-1', kind: 'generate', out: '/p/generated/run-1' }));
  installStores(fake);
  fake.emit('project.changed', projectSummary({ model: conditionalModel(3) }));
  await nextTick();
});

describe('the class choice of a conditional model', () => {
  it('starts with every class and splits the count by the training data’s proportions', async () => {
    const generation = useGenerationStore();
    const choice = generation.classChoice;
    expect(choice.conditional).toBe(true);
    expect(choice.selected).toEqual(['bag', 'coat', 'shoe']);
    expect(choice.mode).toBe('split');
    // 64 images over 60 : 30 : 10 training images: 38.4, 19.2 and 6.4, the one left over to the first class.
    expect(choice.plan).toEqual([
      { name: 'bag', count: 39 },
      { name: 'coat', count: 19 },
      { name: 'shoe', count: 6 },
    ]);
    await generation.start();
    expect(fake.inputsOf('generation.start')[0]).toMatchObject({ count: 64 });
    expect(fake.inputsOf('generation.start')[0]).not.toHaveProperty('classes');
    expect(fake.inputsOf('generation.start')[0]).not.toHaveProperty('perClass');
  });

  it('splits over the chosen classes only, and sends them', async () => {
    const generation = useGenerationStore();
    const choice = generation.classChoice;
    choice.setSelected('coat', false);
    generation.form.count = 10;
    expect(choice.plan).toEqual([
      { name: 'bag', count: 9 },
      { name: 'shoe', count: 1 },
    ]);
    await generation.start();
    expect(fake.inputsOf('generation.start')[0]).toMatchObject({ count: 10, classes: ['bag', 'shoe'] });
  });

  it('N per class sends perClass n, and an emptied count is not asked for', async () => {
    const generation = useGenerationStore();
    const choice = generation.classChoice;
    choice.mode = 'each';
    choice.each = 5;
    generation.form.count = '';
    expect(generation.fieldErrors).toEqual({});
    expect(choice.total).toBe(15);
    await generation.start();
    expect(fake.inputsOf('generation.start')[0]).toMatchObject({ perClass: 5 });
  });

  it('counts per class send each chosen class’s number, and a bad one is named by its class', async () => {
    const generation = useGenerationStore();
    const choice = generation.classChoice;
    choice.mode = 'counts';
    choice.counts.bag = 3;
    choice.counts.coat = 0;
    choice.counts.shoe = 1.5;
    expect(generation.fieldErrors).toEqual({ 'count:shoe': 'must be a whole number from 0 to 10000000' });
    expect(generation.canStart).toBe(false);
    choice.counts.shoe = 2;
    expect(choice.plan).toEqual([
      { name: 'bag', count: 3 },
      { name: 'coat', count: 0 },
      { name: 'shoe', count: 2 },
    ]);
    await generation.start();
    expect(fake.inputsOf('generation.start')[0]).toMatchObject({ perClass: { bag: 3, coat: 0, shoe: 2 } });
  });

  it('asks for a class, and for an image, before it can start', () => {
    const generation = useGenerationStore();
    const choice = generation.classChoice;
    choice.selectNone();
    expect(generation.fieldErrors.classes).toBe('Choose at least one class');
    expect(generation.canStart).toBe(false);
    choice.selectAll();
    choice.mode = 'counts';
    for (const name of ['bag', 'coat', 'shoe']) choice.counts[name] = 0;
    expect(generation.fieldErrors.classes).toBe('Ask for at least one image');
  });

  it('an unconditional model has no class choice, and sends none', async () => {
    fake.emit('project.changed', projectSummary({ model: modelSummary(3), root: '/p/other' }));
    await settle();
    const generation = useGenerationStore();
    expect(generation.classChoice.conditional).toBe(false);
    await generation.start();
    const sent = fake.inputsOf('generation.start')[0]!;
    expect(sent.count).toBe(64);
    expect(sent).not.toHaveProperty('perClass');
    expect(sent).not.toHaveProperty('classes');
  });

  it('keeps the choice with its project', async () => {
    const generation = useGenerationStore();
    generation.classChoice.setSelected('bag', false);
    fake.emit('project.changed', projectSummary({ model: conditionalModel(3), root: '/p/other' }));
    await settle();
    expect(generation.classChoice.selected).toEqual(['bag', 'coat', 'shoe']);
    fake.emit('project.changed', projectSummary({ model: conditionalModel(3) }));
    await settle();
    expect(generation.classChoice.selected).toEqual(['coat', 'shoe']);
  });
});
