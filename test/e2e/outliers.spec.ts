import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NOISE_FILES, writeShapesWithPlants } from '../helpers/plantedShapes.js';
import { tempDir } from '../helpers/tinyData.js';
import { serveStudio, type ServedStudio } from './server.js';
import { trainWithCli } from './trainedProject.js';

/**
 * Cleaning a scraped folder in browser mode: the built-in shapes with five noise images planted among them, a
 * model trained on them with the CLI, then in the app: rank the images, see the noise on top beside its
 * reconstructions, exclude one from training, find it marked in the Dataset grid, include it again. Screenshots go
 * to test-results/screenshots/.
 */
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
test.skip(!existsSync(chromium), `no Chromium at ${chromium}: apt-get install chromium, or set CHROME_PATH`);
test.describe.configure({ mode: 'serial' });

const SHOTS = 'test-results/screenshots';
let studio: ServedStudio;
let page: Page;
let projectDir: string;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(240_000);
  const work = await tempDir('vae-e2e-outliers-');
  await writeShapesWithPlants(join(work, 'shapes'));
  projectDir = join(work, 'home', 'VAE Studio', 'shapes');
  await trainWithCli(join(work, 'shapes'), projectDir, 16, [
    ...['--latent', '8', '--width', '8', '--batch', '32', '--epochs', '40', '--seed', '1'],
  ]);
  await mkdir(SHOTS, { recursive: true });
  studio = await serveStudio(join(work, 'home'));
  page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
});

test.afterAll(async () => {
  await page?.close();
  await studio?.stop();
});

test('the ranking lists the planted noise first, each beside its reconstruction', async () => {
  await page.goto(studio.url);
  await page.getByLabel('New project folder').fill(projectDir);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Open it' }).click();
  await page.getByRole('tab', { name: 'Outliers' }).click();
  await page.getByLabel('Images to list').fill('10');
  await page.getByRole('button', { name: 'Rank the images' }).click();
  const worst = page.getByRole('list', { name: 'Worst explained images' });
  await expect(worst.getByRole('listitem')).toHaveCount(10, { timeout: 60_000 });
  // The file names of the list in its order (the class `file` holds each item's name).
  const names = (await worst.locator('.file').allTextContents()).map((t) => t.trim());
  const firstFive = names.slice(0, 5);
  expect(firstFive.sort()).toEqual(NOISE_FILES);
  await expect(
    worst.getByRole('img', { name: `The model's reconstruction of ${NOISE_FILES[0]}` }),
  ).toBeVisible();
  await expect(
    page.getByRole('list', { name: 'Most likely images' }).getByRole('listitem').first(),
  ).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'outliers-ranking.png') });
});

test('excluding an image keeps it in the project, marks it in the Dataset grid, and can be undone', async () => {
  const noise = NOISE_FILES[0]!;
  const worst = page.getByRole('list', { name: 'Worst explained images' });
  await worst.getByRole('button', { name: `Exclude ${noise} from training` }).click();
  await expect(worst.getByRole('button', { name: `Include ${noise} in training` })).toBeVisible();
  await expect(worst.getByRole('listitem').filter({ hasText: noise })).toContainText(
    'Excluded from training',
  );
  const stored = JSON.parse(await readFile(join(projectDir, 'exclusions.json'), 'utf8')) as {
    images: { path: string }[];
  };
  expect(stored.images.map((i) => i.path)).toEqual([noise]);

  await page.getByRole('tab', { name: 'Dataset' }).click();
  await expect(page.getByText('1 image is excluded from training (marked)')).toBeVisible();
  // The noise lies in squares/: the grid shows that class only, so the cell is in view.
  await page.getByRole('combobox', { name: 'Class' }).selectOption('squares');
  const grid = page.getByRole('grid', { name: 'Dataset images' });
  await expect(grid.getByLabel(`${noise} is excluded`)).toBeVisible({ timeout: 15_000 });
  await expect(grid.getByLabel('outlier #1', { exact: true })).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'outliers-dataset-excluded.png') });

  await page.getByRole('tab', { name: 'Outliers' }).click();
  await worst.getByRole('button', { name: `Include ${noise} in training` }).click();
  await expect(worst.getByRole('button', { name: `Exclude ${noise} from training` })).toBeVisible();
  const after = JSON.parse(await readFile(join(projectDir, 'exclusions.json'), 'utf8')) as {
    images: unknown[];
  };
  expect(after.images).toEqual([]);
  await page.getByRole('tab', { name: 'Dataset' }).click();
  await expect(grid.getByLabel(`${noise} is excluded`)).toHaveCount(0);
});
