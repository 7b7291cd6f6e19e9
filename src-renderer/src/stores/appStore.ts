import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { useApi } from '../api/inject';
import type {
  ErrorCode,
  EventPayload,
  JobKind,
  ProjectSummary,
  RecentProject,
  RequestResult,
} from '../api/contract';
import { createRequester, type Notify } from './request';

export type AppInfo = RequestResult<'app.info'>;
export type ConnectionStatus = 'connecting' | 'open' | 'closed';
export type TabId =
  'dataset' | 'train' | 'generate' | 'quality' | 'interpolate' | 'outliers' | 'explore' | 'map';

/** An error stays up until it is closed or its action succeeds; a piece of information goes by itself. */
export type NoticeTone = 'error' | 'info';

/** A notice shown to the user: what happened (title) and why (the main side's message, for a person). */
export interface Notice {
  id: number;
  title: string;
  message: string;
  tone: NoticeTone;
  /** What it is about: a request's title or a job's kind; that action's next success takes it down. */
  action: string;
  /** For code (tests, branching); never shown. */
  code?: ErrorCode;
}

export interface TabState {
  id: TabId;
  label: string;
  /** Why the tab can't be opened yet; undefined when it can. */
  disabledReason?: string;
}

/** Most notices kept; older ones drop off so a flood of failures can't fill the window. */
const MAX_NOTICES = 5;
/** How long a piece of information stays up, ms. */
export const INFO_NOTICE_MS = 6000;

const OPEN_FAILED = 'Could not open the project';
const CREATE_FAILED = 'Could not create the project';

/** The tab where each kind of job shows its progress and its end (its failure is said there, in its status). */
export const JOB_TAB: Record<JobKind, TabId> = {
  import: 'dataset',
  train: 'train',
  generate: 'generate',
  quality: 'quality',
  interpolate: 'interpolate',
  outliers: 'outliers',
  map: 'map',
};

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

  /** A project the user asked to create where one already is: its folder and the main side's words. */
  const existingProject = ref<{ path: string; message: string } | null>(null);

  function addNotice(notice: Omit<Notice, 'id'>): void {
    const last = notices.value.at(-1);
    // The same failure again (e.g. thumbnails while scrolling) is one notice, not a pile.
    if (last && last.title === notice.title && last.message === notice.message) return;
    const id = nextNoticeId++;
    notices.value = [...notices.value, { id, ...notice }].slice(-MAX_NOTICES);
    if (notice.tone === 'info') setTimeout(() => dismissNotice(id), INFO_NOTICE_MS);
  }

  /** A failure, shown until it is closed or `action` (default: the title) succeeds. */
  const notify: Notify = (title, failure, action = title) =>
    addNotice({ title, message: failure.message, code: failure.code, tone: 'error', action });

  /** Information (a hint after a mistake), gone after {@link INFO_NOTICE_MS}. */
  function inform(title: string, message: string): void {
    addNotice({ title, message, tone: 'info', action: title });
  }

  /** Takes down the notices of `action`: it has just succeeded, or its own view now shows its outcome. */
  function clearNotices(action: string): void {
    notices.value = notices.value.filter((n) => n.action !== action);
  }

  const { pending, error, request } = createRequester({ notify, clearNotices });

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
      { id: 'outliers', label: 'Outliers', disabledReason: needModel },
      { id: 'explore', label: 'Explorer', disabledReason: needModel },
      { id: 'map', label: 'Map', disabledReason: needModel },
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

  /**
   * Creates a project in `path`. A folder that already holds one is not opened behind the user's back:
   * {@link existingProject} says so, and {@link openExisting} opens it if they want.
   */
  async function createProject(path: string, name?: string): Promise<boolean> {
    const trimmed = name?.trim();
    existingProject.value = null;
    const title = CREATE_FAILED;
    const result = await request(
      title,
      () => api.project.create({ path, ...(trimmed ? { name: trimmed } : {}), openExisting: false }),
      { quiet: true },
    );
    if (!result.ok) {
      if (result.code === 'PROJECT_EXISTS') existingProject.value = { path, message: result.message };
      else notify(title, result);
      return false;
    }
    return afterOpen(result.value);
  }

  /** The user chose to open the project found where they wanted a new one. */
  async function openExisting(): Promise<boolean> {
    const found = existingProject.value;
    existingProject.value = null;
    return found ? openProject(found.path) : false;
  }

  /** Takes a project off the recent list; its folder stays on disk. */
  async function forgetProject(path: string): Promise<void> {
    const result = await request('Could not remove the project from the list', () =>
      api.project.forget({ path }),
    );
    if (result.ok) recent.value = result.value;
  }

  async function openProject(path: string): Promise<boolean> {
    const result = await request(OPEN_FAILED, () => api.project.open({ path }));
    return afterOpen(result.ok ? result.value : null);
  }

  async function afterOpen(summary: ProjectSummary | null): Promise<boolean> {
    if (!summary) return false;
    // A project is open now: a failure to open or create one is no longer news.
    clearNotices(OPEN_FAILED);
    clearNotices(CREATE_FAILED);
    existingProject.value = null;
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
    if (tabs.value.find((t) => t.id === id)?.disabledReason) return;
    activeTab.value = id;
    // The tab's own status line says how its job ended: the notice about it has done its work.
    for (const [kind, tab] of Object.entries(JOB_TAB)) if (tab === id) clearNotices(kind);
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
    existingProject,
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
    openExisting,
    forgetProject,
    openProject,
    onProjectChanged: setProject,
    onCheckpoint,
    pickFolder,
    pickImage,
    openPath,
    selectTab,
    notify,
    inform,
    clearNotices,
    dismissNotice,
    setConnection,
    setTrainingRuns,
  };
});
