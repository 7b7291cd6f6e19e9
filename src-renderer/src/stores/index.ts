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
export { useGenerationStore, GENERATE_FORM_SETTINGS, nextSeed, type GalleryGroup } from './generationStore';
export { useGenerationRunsStore } from './generationRunsStore';
export { useImageViewerStore, type ViewerImage, type ViewerSource } from './imageViewerStore';
export { EACH_CLASS_SETTING, CLASS_COUNT_SETTING, type CountMode } from './classChoice';
export { useInterpolationStore, type Slot } from './interpolationStore';
export { useQualityStore, type QualityImages } from './qualityStore';
export { useMapStore, MAP_NEIGHBOURS } from './mapStore';
export { routeEvents, openSession, refreshAfterReconnect } from './events';
export { useOutliersStore } from './outliersStore';
export { useExplorerStore } from './explorerStore';
