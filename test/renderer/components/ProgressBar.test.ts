import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ProgressBar from '../../../src-renderer/src/components/ProgressBar.vue';

describe('ProgressBar', () => {
  it('exposes its value as a labelled progressbar', () => {
    const wrapper = mount(ProgressBar, {
      props: { label: 'Import progress', value: 0.375, text: 'Decoding: 3 of 8' },
    });
    const bar = wrapper.find('[role="progressbar"]');
    expect(bar.attributes()).toMatchObject({
      'aria-label': 'Import progress',
      'aria-valuenow': '38',
      'aria-valuetext': 'Decoding: 3 of 8',
    });
    expect(wrapper.text()).toContain('Decoding: 3 of 8 · 38%');
  });

  it('is indeterminate without a value', () => {
    const wrapper = mount(ProgressBar, { props: { label: 'Import progress', value: null } });
    expect(wrapper.find('[role="progressbar"]').attributes('aria-valuenow')).toBeUndefined();
    expect(wrapper.find('.indeterminate').exists()).toBe(true);
  });
});
