import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { contactSheetPng, sheetLayout } from '../../src-main/jobs/contactSheet.js';

/** `count` 16×16 grayscale frames, frame i filled with the value 10·(i + 1). */
function frames(count: number) {
  const size = 16;
  const pixels = new Uint8Array(count * size * size);
  for (let i = 0; i < count; i++) pixels.fill(10 * (i + 1), i * size * size, (i + 1) * size * size);
  return { pixels, count, size, channels: 1 as const };
}

async function rawOf(png: Buffer) {
  const { data, info } = await sharp(png).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

describe('the interpolation contact sheet', () => {
  it('puts source A first and source B last, the frames between them, each drawn 4× for 16 px images', async () => {
    const sourceA = new Uint8Array(256).fill(200);
    const sourceB = new Uint8Array(256).fill(0);
    const png = await contactSheetPng({ frames: frames(6), sourceA, sourceB });
    const sheet = await rawOf(png);
    const layout = sheetLayout(8, 16);
    expect([sheet.width, sheet.height]).toEqual([layout.width, layout.height]);
    expect(layout.cell).toBe(64);
    const at = (cell: number, dx: number, dy: number) => {
      const { x, y } = layout.origin(cell);
      return sheet.data[(y + dy) * sheet.width + x + dx];
    };
    // Inside each cell (away from the frame drawn around the two sources): its image's value.
    expect(at(0, 32, 32)).toBe(200);
    for (let i = 1; i <= 6; i++) expect(at(i, 32, 32)).toBe(10 * i);
    expect(at(7, 32, 32)).toBe(0);
  });

  it('labels the two sources under them, with their classes for a conditional walk', async () => {
    const plain = await rawOf(
      await contactSheetPng({
        frames: frames(2),
        sourceA: new Uint8Array(256).fill(255),
        sourceB: new Uint8Array(256).fill(255),
      }),
    );
    const labelled = await rawOf(
      await contactSheetPng({
        frames: frames(2),
        sourceA: new Uint8Array(256).fill(255),
        sourceB: new Uint8Array(256).fill(255),
        classA: 'sneaker',
        classB: 'bag',
      }),
    );
    const layout = sheetLayout(4, 16);
    /** Dark pixels in the label band under a cell: text was drawn there. */
    const inkUnder = (sheet: Awaited<ReturnType<typeof rawOf>>, cell: number) => {
      const { x, y } = layout.origin(cell);
      let ink = 0;
      for (let dy = layout.cell + 2; dy < layout.cell + 32; dy++)
        for (let dx = 0; dx < layout.cell; dx++)
          if (sheet.data[(y + dy) * sheet.width + x + dx]! < 128) ink++;
      return ink;
    };
    expect(inkUnder(plain, 0)).toBeGreaterThan(10);
    expect(inkUnder(plain, 3)).toBeGreaterThan(10);
    // "sneaker" under the A is other ink than "source".
    expect(inkUnder(labelled, 0)).not.toBe(inkUnder(plain, 0));
  });

  it('wraps into rows of ten cells', () => {
    const layout = sheetLayout(22, 28);
    expect([layout.columns, layout.rows, layout.cell]).toEqual([10, 3, 84]);
    expect(layout.origin(10).x).toBe(layout.origin(0).x);
    expect(layout.origin(10).y).toBeGreaterThan(layout.origin(9).y);
  });
});
