import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import NoticeList from '../../../src-renderer/src/components/NoticeList.vue';

describe('NoticeList', () => {
  it('shows each notice as an alert with its cause and a dismiss button', async () => {
    const notices = [
      {
        id: 7,
        title: 'Import failed',
        code: 'NO_IMAGES' as const,
        message: '/data holds no images',
        tone: 'error' as const,
        action: 'import',
      },
    ];
    const wrapper = mount(NoticeList, { props: { notices } });
    const alert = wrapper.get('[role="alert"]');
    expect(alert.text()).toContain('Import failed');
    expect(alert.text()).toContain('/data holds no images');
    await wrapper.get('button[aria-label="Dismiss: Import failed"]').trigger('click');
    expect(wrapper.emitted('dismiss')).toEqual([[7]]);
  });

  it('shows the message as a sentence and never the code; Escape closes the newest notice', () => {
    const notices = [
      { id: 1, title: 'A', message: 'first', tone: 'error' as const, action: 'A', code: 'INTERNAL' as const },
      { id: 2, title: 'B', message: 'the folder is gone', tone: 'info' as const, action: 'B' },
    ];
    const wrapper = mount(NoticeList, { props: { notices }, attachTo: document.body });
    expect(wrapper.text()).not.toContain('INTERNAL');
    expect(wrapper.findAll('p').map((p) => p.text())).toEqual(['First.', 'The folder is gone.']);
    // A failure is an alert; information a polite status.
    expect(wrapper.findAll('.notice').map((n) => n.attributes('role'))).toEqual(['alert', 'status']);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(wrapper.emitted('dismiss')).toEqual([[2]]);
    wrapper.unmount();
  });

  it('renders nothing without notices', () => {
    expect(
      mount(NoticeList, { props: { notices: [] } })
        .find('section')
        .exists(),
    ).toBe(false);
  });
});
