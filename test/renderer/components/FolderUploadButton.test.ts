import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import FolderUploadButton from '../../../src-renderer/src/components/FolderUploadButton.vue';
import { byButton } from '../dom';
import { chooseFiles, pickedFile } from '../entries';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('FolderUploadButton', () => {
  it('opens a hidden folder chooser from a real button, which the keyboard reaches', async () => {
    const wrapper = mount(FolderUploadButton);
    const input = wrapper.get<HTMLInputElement>('input[type="file"]');
    expect(input.attributes()).toMatchObject({ webkitdirectory: '', multiple: '', hidden: '' });
    expect(input.attributes('aria-label')).toBe('Folder to upload');
    const open = vi.spyOn(input.element, 'click').mockImplementation(() => undefined);
    const button = byButton(wrapper, 'Upload a folder…');
    expect(button.attributes('type')).toBe('button');
    await button.trigger('click');
    expect(open).toHaveBeenCalledTimes(1);
  });

  it('hands over the chosen files and clears the input, so the same folder can be chosen again', () => {
    const wrapper = mount(FolderUploadButton);
    const input = wrapper.get<HTMLInputElement>('input[type="file"]').element;
    const files = [pickedFile('pets/cats/1.png'), pickedFile('pets/dogs/2.png')];
    // A file input's value can't be set from script; this one records what the component writes.
    let value = 'C:\\fakepath\\1.png';
    Object.defineProperty(input, 'value', { get: () => value, set: (v: string) => (value = v) });
    chooseFiles(input, files);
    expect(wrapper.emitted('pick')).toEqual([[files]]);
    expect(input.value).toBe('');
  });

  it('is disabled while an import runs', () => {
    const wrapper = mount(FolderUploadButton, { props: { disabled: true } });
    expect(byButton(wrapper, 'Upload a folder…').attributes('disabled')).toBeDefined();
  });
});
