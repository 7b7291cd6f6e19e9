import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { useApi } from '../api/inject';
import type { EventPayload, ProjectSummary, RecentProject, RequestResult } from '../api/contract';
import { createRequester, type Notify } from './request';

export type AppInfo = RequestResult<'app.info'>;
export type ConnectionStatus = 'connecting' | 'open' | 'closed';
export type TabId = 'dataset' | 'train' | 'generate' | 'quality' | 'interpolate';

/** An error shown to the user: what failed (title) and why (the main side's message). */
export interface Notice {
  id: number;
  title: string;
  code: string;
  message: string;
}

export interface TabState {
  id: TabId;
  label: string;
  /** Why the tab can't be opened yet; undefined when it can. */
  disabledReason?: string;
}

/** Most notices kept; older ones drop off so a flood of failures can't fill the window. */
const MAX_NOTICES = 5;

/** The app as a whole: host info, the current project, recent projects, notices, the connection, the open tab. */
export const useAppStore = defineStore('app', () => {
  const api = useApi();
  const info = ref<AppInfo | null>(null);
  const project = ref<ProjectSummary | null>(null);
  const recent = ref<RecentProject[]>([]);
  const notices = ref<Notice[]>([]);
  const connection = ref<ConnectionStatus>('open');
  const activeTab = ref<TabId>('dataset');
  /** Shows the project chooser while a project is open ("Switch project"). */
  const choosingProject = ref(false);
  const initialized = ref(false);
  /** A training runs (the training store says so): a project without a model is about to have one. */
  const trainingRuns = ref(false);
  let nextNoticeId = 1;

  const notify: Notify = (title, failure) => {
    const last = notices.value.at(-1);
    // The same failure again (e.g. thumbnails while scrolling) is one notice, not a pile.
    if (last && last.title === title && last.message === failure.message) return;
    notices.value = [
      ...notices.value,
      { id: nextNoticeId++, title, code: failure.code, message: failure.message },
    ].slice(-MAX_NOTICES);
  };
  const { pending, error, request } = createRequester(notify);

  const isBusy = computed(() => pending.value > 0);
  const hasDataset = computed(() => (project.value?.dataset?.count ?? 0) > 0);
  const hasModel = computed(() => project.value?.model != null);
  const nativeDialogs = computed(() => info.value?.nativeDialogs ?? false);
  const canOpenPath = computed(() => info.value?.openPath ?? false);

  const tabs = computed<TabState[]>(() => {
    const needDataset = hasDataset.value ? undefined : 'Import a dataset first (Dataset tab).';
    const noModel = trainingRuns.value
      ? 'The model appears when the running training has saved its first epoch.'
      : 'Train a model first (Train tab).';
    const needModel = hasModel.value ? undefined : (needDataset ?? noModel);
    return [
      { id: 'dataset', label: 'Dataset' },
      { id: 'train', label: 'Train', disabledReason: needDataset },
      { id: 'generate', label: 'Generate', disabledReason: needModel },
      { id: 'quality', label: 'Quality', disabledReason: needModel },
      { id: 'interpolate', label: 'Interpolate', disabledReason: needModel },
    ];
  });

  /** Loads host info, the current project and the recent list (again after a reconnect). */
  async function init(): Promise<void> {
    const [infoResult, currentResult] = await Promise.all([
      request('Could not read app info', () => api.app.info()),
      request('Could not read the current project', () => api.project.current()),
      refreshRecent(),
    ]);
    if (infoResult.ok) info.value = infoResult.value;
    if (currentResult.ok) setProject(currentResult.value);
    initialized.value = true;
  }

  async function refreshRecent(): Promise<void> {
    const result = await request('Could not read recent projects', () => api.project.recent());
    if (result.ok) recent.value = result.value;
  }

  async function createProject(path: string, name?: string): Promise<boolean> {
    const trimmed = name?.trim();
    const result = await request('Could not create the project', () =>
      api.project.create(trimmed ? { path, name: trimmed } : { path }),
    );
    return afterOpen(result.ok ? result.value : null);
  }

  async function openProject(path: string): Promise<boolean> {
    const result = await request('Could not open the project', () => api.project.open({ path }));
    return afterOpen(result.ok ? result.value : null);
  }

  async function afterOpen(summary: ProjectSummary | null): Promise<boolean> {
    if (!summary) return false;
    setProject(summary);
    activeTab.value = 'dataset';
    choosingProject.value = false;
    await refreshRecent();
    return true;
  }

  function setProject(summary: ProjectSummary | null): void {
    project.value = summary;
    // A tab whose precondition went away (e.g. a project without a model) falls back to Dataset.
    if (tabs.value.find((t) => t.id === activeTab.value)?.disabledReason) activeTab.value = 'dataset';
  }

  /** A checkpoint of the open project was written: it is the project's model now. */
  function onCheckpoint(event: EventPayload<'training.checkpoint'>): void {
    if (project.value && project.value.root === event.project) {
      project.value = { ...project.value, model: event.model };
    }
  }

  /** The native folder picker (Electron); null when cancelled or unsupported. */
  async function pickFolder(title: string): Promise<string | null> {
    const result = await request('Could not open the folder picker', () => api.shell.pickFolder({ title }));
    return result.ok ? result.value : null;
  }

  async function pickImage(title: string): Promise<string | null> {
    const result = await request('Could not open the file picker', () => api.shell.pickImage({ title }));
    return result.ok ? result.value : null;
  }

  /** Shows a folder in the OS file manager (Electron). */
  async function openPath(path: string): Promise<void> {
    await request('Could not open the folder', () => api.shell.openPath({ path }));
  }

  function selectTab(id: TabId): void {
    if (!tabs.value.find((t) => t.id === id)?.disabledReason) activeTab.value = id;
  }

  function dismissNotice(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id);
  }

  function setConnection(status: ConnectionStatus): void {
    connection.value = status;
  }

  function setTrainingRuns(runs: boolean): void {
    trainingRuns.value = runs;
  }

  return {
    info,
    project,
    recent,
    notices,
    connection,
    activeTab,
    choosingProject,
    initialized,
    isBusy,
    error,
    hasDataset,
    hasModel,
    nativeDialogs,
    canOpenPath,
    tabs,
    init,
    refreshRecent,
    createProject,
    openProject,
    onProjectChanged: setProject,
    onCheckpoint,
    pickFolder,
    pickImage,
    openPath,
    selectTab,
    notify,
    dismissNotice,
    setConnection,
    setTrainingRuns,
  };
});
