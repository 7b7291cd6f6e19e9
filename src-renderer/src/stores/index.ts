/** The renderer's state: one Pinia setup store per area, each wrapping the API, and the event router. */
export {
  useAppStore,
  type AppInfo,
  type ConnectionStatus,
  type Notice,
  type TabId,
  type TabState,
} from './appStore';
export { useDatasetStore } from './datasetStore';
export { LIST_PAGE_SIZE, THUMBNAIL_CACHE_LIMIT } from './datasetItems';
export { useTrainingStore, defaultTrainForm, type TrainForm, type TrainField } from './trainingStore';
export { useGenerationStore, GENERATE_FORM_SETTINGS } from './generationStore';
export { useInterpolationStore, type Slot } from './interpolationStore';
export { useQualityStore, type QualityImages } from './qualityStore';
export { routeEvents, openSession, refreshAfterReconnect } from './events';
