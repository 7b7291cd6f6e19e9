import { inject, type InjectionKey } from 'vue';
import type { VaeApi } from './contract';

/** The key under which main.ts (or a test) provides the `VaeApi` the stores wrap. */
export const apiKey: InjectionKey<VaeApi> = Symbol('VaeApi');

/**
 * The provided API. Works inside setup stores too: Pinia runs them in the app's injection context, so a test can
 * `app.provide(apiKey, fakeApi)` and every store talks to the fake.
 */
export function useApi(): VaeApi {
  const api = inject(apiKey, null);
  if (!api) throw new Error('No VaeApi provided: call app.provide(apiKey, api) before using the stores.');
  return api;
}
