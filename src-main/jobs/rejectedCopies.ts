import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { SamplerKind } from '../engine/index.js';
import { imageKey, readTextOrEmpty } from './generationManifest.js';

/** One image a generation drew, judged a near-copy of a training image and left out (it has no file). */
export interface RejectedImage {
  /** A conditional model's image: its class and class index, as the manifest's rows have them. */
  class?: string;
  classIndex?: number;
  index: number;
  seed: number;
  latentSeed: number;
  temperature: number;
  /** As the manifest's rows (generationManifest.ts). */
  sampler: SamplerKind;
  samplerSha256?: string;
  /** The nearest training image's path in the dataset. */
  training: string;
  /** Its distance in feature space, under `threshold`. */
  distance: number;
  /** The distance under which an image is a near-copy (the quality report's rule). */
  threshold: number;
  checkpoint: string;
  epoch: number;
  weightsSha256: string;
}

/** A row as read back: the key for sure, the rest as the file holds it. */
export type RejectedRow = Pick<RejectedImage, 'index' | 'seed'> & Partial<RejectedImage>;

/** Beside manifest.jsonl: the indices a generation left out as near-copies, one JSON row each. */
export const REJECTED_JSONL = 'rejected.jsonl';

/**
 * A generation folder's `rejected.jsonl`: the indices of each seed that a run with `rejectCopies` drew, judged
 * near-copies of training images and did not write. A run that continues the folder passes over them without a
 * second check, so it draws the same indices and writes the same files. Appended per image, synced once per batch
 * like the manifest; {@link open} cuts a torn last line (its image is then checked again, to the same verdict).
 */
export class RejectedList {
  private constructor(
    /** Every row that reads as one, in file order. */
    readonly rows: RejectedRow[],
    private readonly keys: Set<string>,
    private readonly file: FileHandle | null,
    private bytes: number,
  ) {}

  static path(folder: string): string {
    return join(folder, REJECTED_JSONL);
  }

  /** Reads `folder`'s list (none yet is an empty one), and opens it for appending when `writable`. */
  static async open(folder: string, writable: boolean): Promise<RejectedList> {
    const path = RejectedList.path(folder);
    const text = await readTextOrEmpty(path);
    const whole = text.slice(0, text.lastIndexOf('\n') + 1);
    const rows = parseRejected(whole);
    const keys = new Set(rows.map((row) => imageKey(row.seed, row.index, row.class)));
    if (!writable) return new RejectedList(rows, keys, null, 0);
    const file = await open(path, 'a');
    try {
      if (whole.length !== text.length) await file.truncate(Buffer.byteLength(whole));
    } catch (err) {
      await file.close();
      throw err;
    }
    return new RejectedList(rows, keys, file, Buffer.byteLength(whole));
  }

  /** True when image `(seed, index)` (a conditional model's: of that class) was judged a near-copy and left out. */
  has(seed: number, index: number, className?: string): boolean {
    return this.keys.has(imageKey(seed, index, className));
  }

  /** Appends `row`; a failed write is cut back, so a row is all there or not at all. */
  async append(row: RejectedImage): Promise<void> {
    if (!this.file) throw new Error(`${REJECTED_JSONL} was opened for reading only`);
    const line = JSON.stringify(row) + '\n';
    try {
      await this.file.writeFile(line);
    } catch (err) {
      await this.file.truncate(this.bytes).catch(() => undefined);
      throw err;
    }
    this.bytes += Buffer.byteLength(line);
    this.rows.push(row);
    this.keys.add(imageKey(row.seed, row.index, row.class));
  }

  /** Makes the rows appended so far durable (once per batch, with the manifest). */
  async sync(): Promise<void> {
    await this.file?.datasync();
  }

  async close(): Promise<void> {
    await this.file?.close().catch(() => undefined);
  }
}

function parseRejected(text: string): RejectedRow[] {
  const rows: RejectedRow[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let row: Partial<RejectedRow> | null;
    try {
      row = JSON.parse(line) as Partial<RejectedRow> | null;
    } catch {
      continue;
    }
    if (typeof row?.index === 'number' && typeof row.seed === 'number') rows.push(row as RejectedRow);
  }
  return rows;
}
