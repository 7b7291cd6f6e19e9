/** The settings of the latent map (vae-studio map; the app's Map view): one entry each. */
import { choiceSetting, numberSetting, type SettingValues } from './define.js';

export const MAP_SETTINGS = {
  method: choiceSetting({
    label: 'Layout',
    help: 'UMAP keeps neighbourhoods (classes form islands); PCA is the two directions of largest spread, exact and instant',
    flag: 'method',
    choices: [
      { value: 'umap', label: 'UMAP (neighbourhoods)' },
      { value: 'pca', label: 'PCA (largest spread)' },
    ],
    default: 'umap',
  }),
  seed: numberSetting({
    label: 'Seed',
    help: "seeds UMAP's sampling of the layout: the same model, images and seed give the same map",
    flag: 'seed',
    integer: true,
    min: 0,
    max: 0xffffffff,
    default: 0,
  }),
  neighbours: numberSetting({
    label: 'Neighbours',
    help: 'UMAP: how many nearest latents shape each point’s place (larger: more of the global shape)',
    flag: 'neighbours',
    integer: true,
    min: 2,
    max: 100,
    default: 15,
  }),
};
export type MapSettings = SettingValues<typeof MAP_SETTINGS>;
