/**
 * The training form's number fields, in the order the form shows them (the image size sits between the first two
 * groups, the last group is under Advanced).
 */
import type { TrainField } from '../stores';

export type NumberKey = Exclude<TrainField, 'imageSize' | 'likelihood' | 'backend'>;
export interface NumberSpec {
  key: NumberKey;
  label: string;
  min?: number;
  max?: number;
  step: number | 'any';
  hint?: string;
}

export const MAIN_FIELDS: NumberSpec[] = [
  { key: 'latentDim', label: 'Latent dimension', min: 1, max: 512, step: 1 },
  {
    key: 'beta',
    label: 'β (KL weight)',
    min: 0,
    max: 100,
    step: 'any',
    hint: '1 is the plain VAE; more gives smoother, blurrier samples.',
  },
  { key: 'epochs', label: 'Epochs', min: 1, max: 10000, step: 1 },
  { key: 'batchSize', label: 'Batch size', min: 1, max: 4096, step: 1 },
  { key: 'learningRate', label: 'Learning rate', min: 0, max: 1, step: 'any' },
];
export const FIELDS_AFTER_SIZE: NumberSpec[] = [
  { key: 'klWarmupEpochs', label: 'KL warm-up (epochs)', min: 0, max: 10000, step: 'any' },
  { key: 'seed', label: 'Seed', min: 0, step: 1 },
];
export const ADVANCED_FIELDS: NumberSpec[] = [
  { key: 'width', label: 'Width', min: 4, max: 256, step: 1, hint: 'Channels of the first convolution.' },
  { key: 'valFraction', label: 'Validation fraction', min: 0, max: 0.5, step: 'any' },
];
