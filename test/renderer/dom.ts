import type { DOMWrapper, VueWrapper } from '@vue/test-utils';

/** The form control a <label> with exactly this text points at (what a user or screen reader finds by name). */
export function byLabel(wrapper: VueWrapper, text: string): DOMWrapper<HTMLInputElement | HTMLSelectElement> {
  const label = wrapper.findAll('label').find((l) => l.text().trim() === text);
  if (!label)
    throw new Error(
      `no label "${text}"; labels: ${wrapper
        .findAll('label')
        .map((l) => l.text())
        .join(', ')}`,
    );
  const control = wrapper.find<HTMLInputElement | HTMLSelectElement>(`[id="${label.attributes('for')}"]`);
  if (!control.exists()) throw new Error(`label "${text}" points at nothing`);
  return control;
}

/** The button whose accessible name (aria-label, else its text) is exactly this. */
export function byButton(wrapper: VueWrapper, name: string): DOMWrapper<HTMLButtonElement> {
  const button = wrapper
    .findAll<HTMLButtonElement>('button')
    .find((b) => (b.attributes('aria-label') ?? b.text().trim()) === name);
  if (!button) throw new Error(`no button "${name}"`);
  return button;
}

/** The text of the element that an input's aria-describedby names (its message and hint). */
export function descriptionOf(wrapper: VueWrapper, input: DOMWrapper<Element>): string {
  return (input.attributes('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => wrapper.get(`[id="${id}"]`).text())
    .join(' ');
}
