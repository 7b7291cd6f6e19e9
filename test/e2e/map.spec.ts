import { expect, test, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { baseScale, boundsOf, fittedViewport, toScreen } from '../../src-renderer/src/lib/mapView.js';
import { tempDir, writeBarsAndBlocks } from '../helpers/tinyData.js';
import { serveStudio, type ServedStudio } from './server.js';

/**
 * The Map view as a user meets it in browser mode: a project with a trained model (made beforehand with the CLI),
 * the map made with its progress, a point hovered (its image in a tooltip), clicked (its reconstruction and nearest
 * images), two points picked and sent to Interpolate as A and B, a box selection exported as a list. The points'
 * places on the canvas come from the map the app stored (map.json) and the view's own fit (lib/mapView.ts).
 * Screenshots go to test-results/screenshots/.
 */
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
test.skip(!existsSync(chromium), `no Chromium at ${chromium}: apt-get install chromium, or set CHROME_PATH`);
test.describe.configure({ mode: 'serial' });

const SHOTS = 'test-results/screenshots';
const run = promisify(execFile);
let studio: ServedStudio;
let page: Page;
let work: string;
let project: string;

interface StoredPoints {
  points: { x: number[]; y: number[]; files: string[] };
}

test.beforeAll(async ({ browser }) => {
  work = await tempDir('vae-e2e-map-');
  await writeBarsAndBlocks(join(work, 'bars'), 60);
  project = join(work, 'bars-project');
  const cli = (...args: string[]) => run(process.execPath, ['bin/vae-studio.js', ...args]);
  await cli('import', join(work, 'bars'), '--project', project, '--size', '16', '--channels', '1');
  await cli(
    'train',
    '--project',
    project,
    '--no-conditional',
    '--latent',
    '8',
    '--width',
    '16',
    '--epochs',
    '20',
    '--batch',
    '32',
  );
  await mkdir(SHOTS, { recursive: true });
  studio = await serveStudio(join(work, 'home'));
  page = await browser.newPage({ acceptDownloads: true });
  page.on('pageerror', (error) => console.error('page error:', error.message));
});

test.afterAll(async () => {
  await page?.close();
  await studio?.stop();
});

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Where each point of the stored map is on the page, at the view's first fit. */
async function pointPlaces(): Promise<{ files: string[]; at: { x: number; y: number }[] }> {
  const stored = JSON.parse(await readFile(join(project, 'map', 'map.json'), 'utf8')) as StoredPoints;
  const box = (await page.getByTestId('map-canvas').boundingBox())!;
  const size = { width: box.width, height: box.height };
  const bounds = boundsOf(stored.points.x, stored.points.y);
  const view = fittedViewport(bounds);
  const scale = baseScale(bounds, size);
  const at = stored.points.x.map((x, i) => {
    const [px, py] = toScreen(view, scale, size, x, stored.points.y[i]!);
    return { x: box.x + px, y: box.y + py };
  });
  return { files: stored.points.files, at };
}

/** The map canvas's colour (0–255 RGB) at a page position. */
async function pixelAt(p: { x: number; y: number }): Promise<[number, number, number]> {
  const box = (await page.getByTestId('map-canvas').boundingBox())!;
  const [x, y] = [p.x - box.x, p.y - box.y];
  return page.evaluate<[number, number, number]>(`(() => {
    const canvas = document.querySelector('[data-testid="map-canvas"]');
    const ratio = canvas.width / canvas.getBoundingClientRect().width;
    const d = canvas.getContext('2d').getImageData(Math.round(${x} * ratio), Math.round(${y} * ratio), 1, 1).data;
    return [d[0], d[1], d[2]];
  })()`);
}

/** The points farthest from any other on screen, most isolated first: a hover or click there hits one point. */
function isolated(at: { x: number; y: number }[], count: number): number[] {
  const gap = at.map((p, i) =>
    Math.min(...at.map((q, j) => (i === j ? Infinity : Math.hypot(p.x - q.x, p.y - q.y)))),
  );
  return [...gap.keys()].sort((a, b) => gap[b]! - gap[a]!).slice(0, count);
}

test('the Map tab makes the map of every image, with progress, coloured by class', async () => {
  await page.goto(studio.url);
  await page.getByLabel('Existing project folder').fill(project);
  await page.getByRole('button', { name: 'Open project' }).click();
  await page.getByRole('tab', { name: 'Map' }).click();
  await expect(page.getByText('No map yet: make one with the button above.')).toBeVisible();
  await page.getByRole('button', { name: 'Make the map' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Mapped 180 images in' })).toBeVisible({
    timeout: 60_000,
  });
  await expect(
    page.getByRole('img', {
      name: 'Latent map of 180 images, coloured by class. Drag to pan, wheel to zoom.',
    }),
  ).toBeVisible();
  await expect(page.getByRole('list', { name: 'Classes' })).toHaveText(/block.*horizontal.*vertical/);
  await expect(
    page.getByText(/\d+% of images have the class of most of their 5 nearest map neighbours/),
  ).toBeVisible();
  await page.waitForTimeout(300);
  await shot('map-dots');
});

test('hovering a point shows its image; clicking it shows its reconstruction and nearest images', async () => {
  const { files, at } = await pointPlaces();
  const [first] = isolated(at, 1);
  await page.mouse.move(at[first!]!.x, at[first!]!.y);
  const tooltip = page.getByTestId('map-tooltip');
  await expect(tooltip).toContainText(files[first!]!);
  await expect(tooltip.getByRole('img', { name: `The image ${files[first!]}` })).toBeVisible();
  await shot('map-hover');

  await page.mouse.click(at[first!]!.x, at[first!]!.y);
  await expect(page.getByRole('heading', { name: files[first!]! })).toBeVisible();
  await expect(page.getByRole('img', { name: `The model's reconstruction of ${files[first!]}` })).toBeVisible(
    {
      timeout: 30_000,
    },
  );
  const neighbours = page.getByRole('list', { name: 'Nearest images in latent space' });
  await expect(neighbours.getByRole('img')).toHaveCount(8);
  await page.mouse.move(5, 5);
  await shot('map-click');
});

test('two picked points go to Interpolate as A and B', async () => {
  const { files, at } = await pointPlaces();
  const [a, b] = isolated(at, 2);
  await page.mouse.click(at[a!]!.x, at[a!]!.y);
  await page.getByRole('button', { name: 'Pick for interpolation' }).click();
  await page.mouse.click(at[b!]!.x, at[b!]!.y);
  await expect(page.getByRole('heading', { name: files[b!]! })).toBeVisible();
  await page.getByRole('button', { name: 'Pick for interpolation' }).click();
  await expect(page.getByRole('region', { name: 'Interpolate between two images' })).toContainText(
    `A ${files[a!]}`,
  );
  await shot('map-picked');
  await page.getByRole('button', { name: 'Interpolate A and B' }).click();
  await expect(page.getByRole('tab', { name: 'Interpolate' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('img', { name: `Image A: ${files[a!]}` })).toBeVisible();
  await expect(page.getByRole('img', { name: `Image B: ${files[b!]}` })).toBeVisible();
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByRole('list', { name: 'Preview frames' }).getByRole('img').first()).toBeVisible({
    timeout: 30_000,
  });
  await shot('map-to-interpolate');
});

test('a box selection is exported as a list of files; zoomed in, the map draws the images', async () => {
  await page.getByRole('tab', { name: 'Map' }).click();
  const box = (await page.getByTestId('map-canvas').boundingBox())!;
  await page.getByRole('button', { name: 'Box select' }).click();
  await page.mouse.move(box.x + 2, box.y + 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height - 2, { steps: 5 });
  await page.mouse.up();
  const { files, at } = await pointPlaces();
  const inside = files.filter((_, i) => at[i]!.x <= box.x + box.width / 2).sort();
  await expect(page.getByText(`${inside.length} images selected`)).toBeVisible();
  expect(inside.length).toBeGreaterThan(0);
  expect(inside.length).toBeLessThan(180);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export list' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('map-selection.txt');
  const listed = (await readFile(await download.path(), 'utf8')).trim().split('\n');
  expect([...listed].sort()).toEqual(inside);

  // Excluded from training: kept in the project, counted on the Dataset's summary, drawn grey on the map.
  await page.getByRole('button', { name: 'Exclude them from training' }).click();
  await expect(
    page.getByText(
      `${inside.length} images are excluded from training: the next training run leaves them out.`,
    ),
  ).toBeVisible();
  const stored = JSON.parse(await readFile(join(project, 'exclusions.json'), 'utf8')) as {
    images: { path: string }[];
  };
  expect(stored.images.map((i) => i.path).sort()).toEqual(inside);
  await expect(
    page.getByText(`${inside.length} images selected (${inside.length} excluded from training)`),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Clear selection' }).click();
  await page.mouse.move(box.x + box.width - 2, box.y + 2); // no point hovered: no tooltip over the dots
  const lone = isolated(at, at.length);
  const out = lone.find((i) => inside.includes(files[i]!))!;
  const kept = lone.find((i) => !inside.includes(files[i]!))!;
  const spread = async (i: number) => {
    const [r, g, b] = await pixelAt(at[i]!);
    return Math.max(r, g, b) - Math.min(r, g, b);
  };
  expect(await spread(out), `excluded ${files[out]} is grey`).toBeLessThan(16);
  expect(await spread(kept), `${files[kept]} keeps its class colour`).toBeGreaterThan(60);
  await shot('map-excluded');

  // Esc clears a selection; the same box includes them again.
  await page.mouse.move(box.x + 2, box.y + 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height - 2, { steps: 5 });
  await page.mouse.up();
  await expect(
    page.getByText(`${inside.length} images selected (${inside.length} excluded from training)`),
  ).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByText(/images selected/)).toHaveCount(0);
  await page.mouse.move(box.x + 2, box.y + 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height - 2, { steps: 5 });
  await page.mouse.up();
  await page.getByRole('button', { name: 'Include them again' }).click();
  await expect(page.getByText(`${inside.length} images are included in training again.`)).toBeVisible();
  const after = JSON.parse(await readFile(join(project, 'exclusions.json'), 'utf8')) as { images: unknown[] };
  expect(after.images).toEqual([]);
  await expect(page.getByText(`${inside.length} images selected`, { exact: true })).toBeVisible();
  await shot('map-selection');

  await page.getByRole('button', { name: 'Clear selection' }).click();
  await page.getByRole('button', { name: /Box select: on/ }).click();
  // Wheel over the point with the most others near it: the images of its neighbourhood show.
  const crowded = [...at.keys()].sort(
    (i, j) =>
      at.filter((p) => Math.hypot(p.x - at[j]!.x, p.y - at[j]!.y) < 40).length -
      at.filter((p) => Math.hypot(p.x - at[i]!.x, p.y - at[i]!.y) < 40).length,
  )[0]!;
  await page.mouse.move(at[crowded]!.x, at[crowded]!.y);
  for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -300);
  await page.waitForTimeout(1500);
  await shot('map-zoomed');
});
