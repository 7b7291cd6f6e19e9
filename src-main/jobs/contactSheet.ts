import sharp from 'sharp';
import type { ImageBatch } from '../engine/index.js';

/**
 * The contact sheet of an interpolation export: the two source images at its ends (A first, B last), each framed
 * and labelled with its letter and, below it, its class for a conditional model's walk (else "source"), the decoded frames between them
 * numbered 1…n, in rows of at most {@link SHEET_COLUMNS} cells. Small images are scaled up by a whole factor
 * (nearest neighbour, so pixels stay pixels) to at least {@link MIN_CELL} px, so the labels fit under them.
 */

/** Cells per row, the two sources included. */
export const SHEET_COLUMNS = 10;
/** The smallest cell side in pixels; a 16×16 model's images are drawn 4× (64 px). */
export const MIN_CELL = 64;
const GAP = 8;
const MARGIN = 8;
/** Two lines under each cell: its letter or number, then (under the sources) what it is. */
const LABEL_HEIGHT = 32;
const FONT_SIZE = 12;
const SMALL_FONT_SIZE = 10;
const BACKGROUND = 255;

export interface ContactSheetInput {
  /** The decoded frames, in path order. */
  frames: ImageBatch;
  /** The two source images as the model reads them (its size and channels). */
  sourceA: Uint8Array;
  sourceB: Uint8Array;
  /** Words after the letters: the ends' classes, for a conditional model's walk. */
  classA?: string;
  classB?: string;
}

/** Where each cell of a sheet lies, and how large the sheet is (exported for tests). */
export function sheetLayout(cells: number, size: number) {
  const scale = Math.max(1, Math.ceil(MIN_CELL / size));
  const cell = size * scale;
  const columns = Math.min(SHEET_COLUMNS, cells);
  const rows = Math.ceil(cells / columns);
  const rowHeight = cell + LABEL_HEIGHT;
  const width = 2 * MARGIN + columns * cell + (columns - 1) * GAP;
  const height = 2 * MARGIN + rows * rowHeight + (rows - 1) * GAP;
  const origin = (i: number) => ({
    x: MARGIN + (i % columns) * (cell + GAP),
    y: MARGIN + Math.floor(i / columns) * (rowHeight + GAP),
  });
  return { scale, cell, columns, rows, width, height, origin };
}

/** The sheet as a PNG. */
export async function contactSheetPng(input: ContactSheetInput): Promise<Buffer> {
  const { frames, sourceA, sourceB } = input;
  const { size, channels } = frames;
  const perImage = size * size * channels;
  const images = [
    sourceA,
    ...Array.from({ length: frames.count }, (_, i) =>
      frames.pixels.subarray(i * perImage, (i + 1) * perImage),
    ),
    sourceB,
  ];
  const layout = sheetLayout(images.length, size);
  const { width, height, scale, cell } = layout;
  const canvas = new Uint8Array(width * height * channels).fill(BACKGROUND);
  images.forEach((image, i) => {
    const { x, y } = layout.origin(i);
    blitScaled(canvas, width, channels, image, size, scale, x, y);
  });

  const last = images.length - 1;
  const lines = images.map((_, i): [string, string] =>
    i === 0
      ? ['A', input.classA ?? 'source']
      : i === last
        ? ['B', input.classB ?? 'source']
        : [String(i), ''],
  );
  const maxChars = Math.max(3, Math.floor(cell / (SMALL_FONT_SIZE * 0.62)));
  const text = (x: number, y: number, size: number, weight: string, words: string) =>
    `<text x="${x}" y="${y}" text-anchor="middle" font-family="sans-serif" font-size="${size}" ` +
    `font-weight="${weight}" fill="#000">${escapeXml(words)}</text>`;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`,
    ...[0, last].map((i) => {
      const { x, y } = layout.origin(i);
      return `<rect x="${x - 2}" y="${y - 2}" width="${cell + 4}" height="${cell + 4}" fill="none" stroke="#000" stroke-width="2"/>`;
    }),
    ...lines.flatMap(([first, second], i) => {
      const { x, y } = layout.origin(i);
      const end = i === 0 || i === last;
      return [
        text(x + cell / 2, y + cell + 15, FONT_SIZE, end ? 'bold' : 'normal', first),
        ...(second
          ? [text(x + cell / 2, y + cell + 28, SMALL_FONT_SIZE, 'normal', truncate(second, maxChars))]
          : []),
      ];
    }),
    '</svg>',
  ].join('');
  const image = sharp(Buffer.from(canvas.buffer, canvas.byteOffset, canvas.byteLength), {
    raw: { width, height, channels },
  }).composite([{ input: Buffer.from(svg), top: 0, left: 0 }]);
  if (channels === 1) image.toColourspace('b-w');
  return image.png().toBuffer();
}

/** Copies a size×size image into the canvas at (x, y), each pixel drawn as a scale×scale block. */
function blitScaled(
  canvas: Uint8Array,
  width: number,
  channels: number,
  image: Uint8Array,
  size: number,
  scale: number,
  x: number,
  y: number,
): void {
  for (let sy = 0; sy < size; sy++) {
    const row = new Uint8Array(size * scale * channels);
    for (let sx = 0; sx < size; sx++) {
      const src = (sy * size + sx) * channels;
      for (let k = 0; k < scale; k++)
        row.set(image.subarray(src, src + channels), (sx * scale + k) * channels);
    }
    for (let k = 0; k < scale; k++) canvas.set(row, ((y + sy * scale + k) * width + x) * channels);
  }
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
