import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import NoticeList from '../../../src-renderer/src/components/NoticeList.vue';

describe('NoticeList', () => {
  it('shows each notice as an alert with its cause and a dismiss button', async () => {
    const notices = [{ id: 7, title: 'Import failed', code: 'NO_IMAGES', message: '/data holds no images' }];
    const wrapper = mount(NoticeList, { props: { notices } });
    const alert = wrapper.get('[role="alert"]');
    expect(alert.text()).toContain('Import failed');
    expect(alert.text()).toContain('/data holds no images');
    await wrapper.get('button[aria-label="Dismiss: Import failed"]').trigger('click');
    expect(wrapper.emitted('dismiss')).toEqual([[7]]);
  });

  it('renders nothing without notices', () => {
    expect(
      mount(NoticeList, { props: { notices: [] } })
        .find('section')
        .exists(),
    ).toBe(false);
  });
});
