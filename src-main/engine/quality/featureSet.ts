/** Feature vectors of a set of images, image-major: `values[i * dim + j]` is feature j of image i. */
export interface FeatureSet {
  count: number;
  dim: number;
  values: Float32Array;
}
