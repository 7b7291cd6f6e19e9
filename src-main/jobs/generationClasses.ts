import type { VaeConfig } from '../engine/index.js';
import { UserError } from '../util/errors.js';
import { classFolders } from './classFolders.js';
import { MANIFEST_CSV, MANIFEST_JSONL } from './generationManifest.js';
import { REJECTED_JSONL } from './rejectedCopies.js';

/**
 * Which classes a conditional generation draws, and how many images of each: `perClass` n of every class, or
 * counts by class name; otherwise `count` split by the training data's class proportions. An unconditional model
 * has no classes to ask for.
 */

/** What a generation asks for of the classes (GenerateJobInput's fields). */
export interface ClassRequest {
  /** Images in all, split over the classes by their share of the training images (without `perClass`). */
  count?: number;
  /** n images of each class, or the count of each class named (classes not named get none). */
  perClass?: number | Readonly<Record<string, number>>;
  /** Only these classes (by name); default all of the model's. */
  classes?: readonly string[];
}

/** One class of a conditional generation: its images are `<out>/<folder>/sample-s<seed>-<index>.<ext>`. */
export interface ClassDraw {
  name: string;
  /** Its index in the model's `config.classes`: the one-hot label the decoder takes. */
  index: number;
  folder: string;
  /** Images of the class this run asks for. */
  count: number;
}

/** The error every per-class option gives for a model trained without classes. */
export function unconditionalModel(what: string): UserError {
  return new UserError(
    'INVALID_INPUT',
    `${what}: this model was trained without classes (an unconditional model), so it has none to generate; ` +
      'train a conditional model on a dataset with class folders (the default when it has 2 or more) to ' +
      'generate by class',
  );
}

/**
 * The classes a conditional model's generation draws, in the model's class order, each with its count; classes
 * with no image asked for are left out. `trainingCounts` are the images of each class the model was trained on
 * (the checkpoint's `dataset.classCounts`); without them the classes count alike.
 * @throws UserError INVALID_INPUT naming an unknown class (and the known ones), a count that is not a whole
 *   number ≥ 0, `count` beside `perClass`, or a request for no image at all.
 */
export function planClassDraws(
  config: VaeConfig,
  trainingCounts: readonly number[] | undefined,
  request: ClassRequest,
): ClassDraw[] {
  const classes = config.classes ?? [];
  const known = (name: string, field: string): number => {
    const index = classes.indexOf(name);
    if (index < 0) {
      throw new UserError(
        'INVALID_INPUT',
        `${field}: the model has no class ${JSON.stringify(name)}; its classes are ${classes.join(', ')}`,
      );
    }
    return index;
  };
  const selected = request.classes
    ? [...new Set(request.classes.map((name) => known(name, 'classes')))].sort((a, b) => a - b)
    : classes.map((_, i) => i);
  if (selected.length === 0) throw new UserError('INVALID_INPUT', 'classes: name at least one class');
  const counts = new Array<number>(classes.length).fill(0);
  const { perClass } = request;
  if (perClass !== undefined && request.count !== undefined) {
    throw new UserError('INVALID_INPUT', 'count and perClass: give one of them (perClass sets the count)');
  }
  if (typeof perClass === 'number') {
    wholeCount('perClass', perClass);
    for (const k of selected) counts[k] = perClass;
  } else if (perClass !== undefined) {
    for (const [name, n] of Object.entries(perClass)) {
      const k = known(name, 'perClass');
      if (!selected.includes(k)) {
        throw new UserError('INVALID_INPUT', `perClass: ${name} is not one of the classes asked for`);
      }
      wholeCount(`perClass ${name}`, n);
      counts[k] = n;
    }
  } else {
    const count = request.count;
    if (count === undefined) throw new UserError('INVALID_INPUT', 'count: say how many images, or perClass');
    wholeCount('count', count);
    const weights = selected.map((k) => trainingCounts?.[k] ?? 1);
    splitByWeights(count, weights.some((w) => w > 0) ? weights : weights.map(() => 1)).forEach(
      (n, i) => (counts[selected[i]!] = n),
    );
  }
  const folders = generationFolders(classes);
  const draws = selected
    .filter((k) => counts[k]! > 0)
    .map((k) => ({ name: classes[k]!, index: k, folder: folders[k]!, count: counts[k]! }));
  if (draws.length === 0) throw new UserError('INVALID_INPUT', 'perClass: ask for at least one image');
  return draws;
}

/** The folder of each class (in `classes` order) in a generation's output folder, beside its manifest files. */
export function generationFolders(classes: readonly string[]): string[] {
  return classFolders(classes, [MANIFEST_JSONL, MANIFEST_CSV, REJECTED_JSONL]);
}

function wholeCount(field: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new UserError('INVALID_INPUT', `${field}: must be a whole number of images ≥ 0, got ${n}`);
  }
}

/**
 * `total` split in proportion to `weights` (whole numbers ≥ 0, not all 0) by the largest-remainder method: each
 * part gets ⌊total·wᵢ/W⌋, and the images left over go one each to the parts with the largest remainders, the
 * earlier part first on a tie. Exact integer arithmetic, so the split is the same everywhere, and it sums to
 * `total`.
 */
export function splitByWeights(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const parts = weights.map((w) => Math.floor((total * w) / sum));
  const remainders = weights.map((w, i) => ({ i, r: total * w - parts[i]! * sum }));
  let left = total - parts.reduce((s, n) => s + n, 0);
  remainders.sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of remainders) {
    if (left === 0) break;
    parts[i]!++;
    left--;
  }
  return parts;
}
