import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { faultPoint } from '../util/faultPoint.js';
import type { SamplerKind } from '../engine/index.js';

/** One generated image as the manifest records it. */
export interface GeneratedImage {
  /**
   * The file's path inside the output folder, '/' separators: `sample-s<seed>-<index>.<ext>`, or for a
   * conditional model's image `<class folder>/sample-s<seed>-<index>.<ext>` (the ImageFolder layout).
   */
  file: string;
  /**
   * A conditional model's image: the class it was generated for (the model's name of it) and that class's index
   * in the model's classes (the one-hot label). Its index counts within the class: (seed, class, index) names it.
   */
  class?: string;
  classIndex?: number;
  /** Index of the image in its seed's stream (a conditional model's: in its class's stream of the seed). */
  index: number;
  seed: number;
  latentSeed: number;
  temperature: number;
  /** The latent sampler, and for `gmm` the sha256 of its fitted mixture (project/samplerFile.ts). */
  sampler: SamplerKind;
  samplerSha256?: string;
  z: number[];
  checkpoint: string;
  epoch: number;
  weightsSha256: string;
}

/**
 * An image saved from the latent explorer: not drawn from a seed (`seed` is −1), its z as the sliders set it, the
 * model it was decoded with, and where the walk started, in words (`origin`).
 */
export interface ExplorerImage extends Pick<
  GeneratedImage,
  'file' | 'index' | 'z' | 'checkpoint' | 'epoch' | 'weightsSha256'
> {
  seed: -1;
  class?: string;
  classIndex?: number;
  origin: string;
  savedAt: string;
}

/**
 * A row as read back: what the gallery needs for sure, the rest as the file holds it (a hand-written row may
 * lack it; the generation then takes it for another model's).
 */
export type ManifestRow = Pick<GeneratedImage, 'file' | 'index' | 'seed'> & Partial<GeneratedImage>;

export const MANIFEST_JSONL = 'manifest.jsonl';
export const MANIFEST_CSV = 'manifest.csv';
const CSV_HEADER =
  'file,index,seed,latent_seed,temperature,sampler,sampler_sha256,epoch,weights_sha256,checkpoint,z';
/** A conditional generation's folder: the same columns, and the class of each image at the end. */
const CLASS_CSV_HEADER = `${CSV_HEADER},class,class_index`;

/**
 * What a killed generation can leave beside its files (in the folder or a class folder): the temporary file of
 * an image being written, or of a manifest.csv being rebuilt (`.<name>.<random hex>.tmp`). Nothing else matches.
 */
const LEFTOVER_TMP = /^\.(sample-s\d+-\d+\.(png|jpg|webp)|manifest\.(csv|jsonl))\.[0-9a-f]+\.tmp$/;

/**
 * `(seed, index)` as one map key; a conditional model's image `(seed, class, index)`, its class's name being
 * part of its key.
 */
export function imageKey(seed: number, index: number, className?: string): string {
  return className === undefined ? `${seed}:${index}` : JSON.stringify([seed, className, index]);
}

/** The key of a row as read back. */
function rowKey(row: Pick<GeneratedImage, 'seed' | 'index' | 'class'>): string {
  return imageKey(row.seed, row.index, row.class);
}

/**
 * A generation folder's manifest, open for appending: manifest.jsonl gets one line per image right after the
 * image's file is whole under its final name, and manifest.csv the same row beside it, so a kill leaves at most
 * the last file unlisted (never a row naming a missing or partial file). Both are fsynced once per batch
 * ({@link sync}), not per image. {@link open} repairs what a kill can leave: a torn last line, a csv behind its
 * jsonl, temporary files.
 */
export class GenerationManifest {
  private constructor(
    readonly folder: string,
    /** Every row of manifest.jsonl that reads as an image, in file order. */
    readonly rows: ManifestRow[],
    private readonly byKey: Map<string, ManifestRow>,
    private readonly jsonl: FileHandle,
    private readonly csv: FileHandle,
    private readonly csvLineOf: (row: ManifestRow) => string,
    private jsonlBytes: number,
    private csvBytes: number,
  ) {}

  /** Paths of the two manifest files of `folder`. */
  static paths(folder: string): { jsonl: string; csv: string } {
    return { jsonl: join(folder, MANIFEST_JSONL), csv: join(folder, MANIFEST_CSV) };
  }

  /**
   * Reads `folder`'s manifest (none yet is an empty one) and opens it for appending. First removes the temporary
   * files a killed run left (`names` are the folder's entries, a class folder's as `<folder>/<name>`), cuts a torn
   * last line of manifest.jsonl (its image is then a file without a row, which the run completes) and rewrites
   * manifest.csv from manifest.jsonl if the two differ. A folder of a conditional generation (its rows have
   * classes, or it has none yet and `classes` says this one will) has the class columns in its csv.
   */
  static async open(folder: string, names: readonly string[], classes = false): Promise<GenerationManifest> {
    for (const name of names)
      if (LEFTOVER_TMP.test(basename(name))) await rm(join(folder, name), { force: true });
    const paths = GenerationManifest.paths(folder);
    const text = await readTextOrEmpty(paths.jsonl);
    // A line is whole once its newline is written: anything after the last one is a torn append.
    const whole = text.slice(0, text.lastIndexOf('\n') + 1);
    const rows = parseRows(whole);
    const withClasses = rows.length > 0 ? rows.some((row) => row.class !== undefined) : classes;
    const line = withClasses ? classCsvLine : csvLine;
    const csvText = (withClasses ? CLASS_CSV_HEADER : CSV_HEADER) + '\n' + rows.map(line).join('');
    if ((await readTextOrEmpty(paths.csv)) !== csvText) {
      faultPoint('generate-csv-rebuild');
      await writeFileAtomic(paths.csv, csvText);
    }
    const jsonl = await open(paths.jsonl, 'a');
    let csv: FileHandle;
    try {
      if (whole.length !== text.length) await jsonl.truncate(Buffer.byteLength(whole));
      csv = await open(paths.csv, 'a');
    } catch (err) {
      await jsonl.close();
      throw err;
    }
    const byKey = new Map(rows.map((row) => [rowKey(row), row]));
    return new GenerationManifest(
      folder,
      rows,
      byKey,
      jsonl,
      csv,
      line,
      Buffer.byteLength(whole),
      Buffer.byteLength(csvText),
    );
  }

  /** The row of image `(seed, index)` (a conditional model's: of that class), if the manifest has one. */
  get(seed: number, index: number, className?: string): ManifestRow | undefined {
    return this.byKey.get(imageKey(seed, index, className));
  }

  /**
   * Appends `row` to both files. On a failed write both are cut back to where they were, so a row is all there
   * or not at all; the caller then removes the image the row would have named.
   */
  async append(row: GeneratedImage | ExplorerImage): Promise<void> {
    const line = JSON.stringify(row) + '\n';
    const csvRow = this.csvLineOf(row);
    faultPoint('generate-manifest-row');
    try {
      await this.jsonl.writeFile(line);
      await this.csv.writeFile(csvRow);
    } catch (err) {
      await this.jsonl.truncate(this.jsonlBytes).catch(() => undefined);
      await this.csv.truncate(this.csvBytes).catch(() => undefined);
      throw err;
    }
    this.jsonlBytes += Buffer.byteLength(line);
    this.csvBytes += Buffer.byteLength(csvRow);
    this.rows.push(row);
    this.byKey.set(rowKey(row), row);
  }

  /** Makes the rows appended so far durable: once per batch, since once per image would halve the speed. */
  async sync(): Promise<void> {
    faultPoint('generate-manifest-sync');
    await this.jsonl.datasync();
    await this.csv.datasync();
  }

  async close(): Promise<void> {
    await this.jsonl.close().catch(() => undefined);
    await this.csv.close().catch(() => undefined);
  }
}

/** The text of `path`, or "" when there is no such file. */
export async function readTextOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/** The rows of a manifest.jsonl text; a line that is not an image's row (hand-edited) is passed over. */
export function parseRows(text: string): ManifestRow[] {
  const rows: ManifestRow[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let row: Partial<ManifestRow> | null;
    try {
      row = JSON.parse(line) as Partial<ManifestRow> | null;
    } catch {
      continue;
    }
    if (typeof row?.file === 'string' && typeof row.index === 'number' && typeof row.seed === 'number') {
      rows.push(row as ManifestRow);
    }
  }
  return rows;
}

/** Reads the rows of `folder`'s manifest.jsonl without opening it for writing (none yet: no rows). */
export async function readGenerationManifest(folder: string): Promise<ManifestRow[]> {
  return parseRows(await readTextOrEmpty(join(folder, MANIFEST_JSONL)));
}

function csvLine(row: ManifestRow): string {
  return (
    [
      csvField(row.file),
      row.index,
      row.seed,
      row.latentSeed ?? '',
      row.temperature ?? '',
      row.sampler ?? '',
      row.samplerSha256 ?? '',
      row.epoch ?? '',
      row.weightsSha256 ?? '',
      csvField(row.checkpoint ?? ''),
      Array.isArray(row.z) ? row.z.join(' ') : '',
    ].join(',') + '\n'
  );
}

/** A row of a conditional generation's csv: the same fields, then its class and class index. */
function classCsvLine(row: ManifestRow): string {
  return `${csvLine(row).slice(0, -1)},${csvField(row.class ?? '')},${row.classIndex ?? ''}\n`;
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
