import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { defineComponent, h, ref } from 'vue';
import TabBar from '../../../src-renderer/src/components/TabBar.vue';

const tabs = [
  { id: 'dataset', label: 'Dataset' },
  { id: 'train', label: 'Train' },
  { id: 'generate', label: 'Generate', disabledReason: 'Train a model first (Train tab).' },
  { id: 'interpolate', label: 'Interpolate' },
];

/** TabBar with v-model, as App uses it. */
const Host = defineComponent(() => {
  const active = ref('dataset');
  return () =>
    h(TabBar, {
      tabs,
      label: 'Steps',
      modelValue: active.value,
      'onUpdate:modelValue': (id: string) => (active.value = id),
    });
});

function selected(wrapper: ReturnType<typeof mount>): string[] {
  return wrapper
    .findAll('[role="tab"]')
    .filter((t) => t.attributes('aria-selected') === 'true')
    .map((t) => t.text());
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('TabBar', () => {
  it('is a labelled tablist whose selected tab alone is in the Tab order', () => {
    const wrapper = mount(Host);
    expect(wrapper.find('[role="tablist"]').attributes('aria-label')).toBe('Steps');
    expect(wrapper.findAll('[role="tab"]').map((t) => t.attributes('tabindex'))).toEqual([
      '0',
      '-1',
      '-1',
      '-1',
    ]);
  });

  it('moves focus and selection with the arrow keys, Home and End', async () => {
    const wrapper = mount(Host, { attachTo: document.body });
    const tab = (name: string) => wrapper.findAll('[role="tab"]').find((t) => t.text() === name)!;
    (tab('Dataset').element as HTMLElement).focus();

    await tab('Dataset').trigger('keydown', { key: 'ArrowRight' });
    expect(document.activeElement?.textContent?.trim()).toBe('Train');
    expect(selected(wrapper)).toEqual(['Train']);

    await tab('Train').trigger('keydown', { key: 'ArrowLeft' });
    expect(document.activeElement?.textContent?.trim()).toBe('Dataset');
    expect(selected(wrapper)).toEqual(['Dataset']);

    await tab('Dataset').trigger('keydown', { key: 'End' });
    expect(selected(wrapper)).toEqual(['Interpolate']);
    await tab('Interpolate').trigger('keydown', { key: 'ArrowRight' });
    expect(selected(wrapper)).toEqual(['Dataset']);
  });

  it('lets focus reach a disabled tab without opening it, and tells why it is disabled', async () => {
    const wrapper = mount(Host, { attachTo: document.body });
    const all = wrapper.findAll('[role="tab"]');
    await all[1]!.trigger('click');
    expect(selected(wrapper)).toEqual(['Train']);
    (all[1]!.element as HTMLElement).focus();
    await all[1]!.trigger('keydown', { key: 'ArrowRight' });
    expect(document.activeElement?.textContent?.trim()).toBe('Generate');
    expect(selected(wrapper)).toEqual(['Train']);
    const generate = all[2]!;
    expect(generate.attributes('aria-disabled')).toBe('true');
    await generate.trigger('click');
    expect(selected(wrapper)).toEqual(['Train']);
    // The reason is the tab's description, a tooltip shown on hover and focus; a lock marks the tab.
    const hint = wrapper.find(`#${generate.attributes('aria-describedby')}`);
    expect(hint.attributes('role')).toBe('tooltip');
    expect(hint.text()).toBe('Train a model first (Train tab).');
    expect(generate.find('svg.lock').exists()).toBe(true);
    expect(all[1]!.find('svg.lock').exists()).toBe(false);
  });
});
