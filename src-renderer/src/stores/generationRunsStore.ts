import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { useApi } from '../api/inject';
import type { GenerationRun } from '../api/contract';
import { useAppStore } from './appStore';
import { createRequester } from './request';

/**
 * The project's past generation runs (its generated/ folders, read from their manifests on the main side), so a
 * run is found again after a reload. Read once something shows them ({@link refresh}), then again when another
 * project opens and when a run ends.
 */
export const useGenerationRunsStore = defineStore('generationRuns', () => {
  const api = useApi();
  const app = useAppStore();
  const { pending, error, request } = createRequester(app);
  const runs = ref<GenerationRun[]>([]);
  const loaded = ref(false);
  /** Something shows the list: keep it current. */
  let wanted = false;

  async function refresh(): Promise<void> {
    wanted = true;
    const root = app.project?.root;
    if (!root) {
      runs.value = [];
      loaded.value = false;
      return;
    }
    const result = await request('Could not list the past generation runs', () => api.generation.runs());
    if (!result.ok || app.project?.root !== root) return;
    runs.value = result.value;
    loaded.value = true;
  }

  watch(
    () => app.project?.root,
    () => {
      runs.value = [];
      loaded.value = false;
      if (wanted) void refresh();
    },
  );

  /** After a run: read again if anything shows the list. */
  function changed(): Promise<void> {
    return wanted ? refresh() : Promise.resolve();
  }

  return { runs, loaded, isBusy: computed(() => pending.value > 0), error, refresh, changed };
});
