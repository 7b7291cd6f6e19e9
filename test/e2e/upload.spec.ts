import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { serveStudio, type ServedStudio } from './server.js';

/**
 * Browser mode's "Upload a folder…": the way to import from the browser's machine without dragging, from the
 * keyboard, and the one Playwright can drive (a synthetic drop has no `webkitGetAsEntry`). Its own server and
 * HOME, so it does not depend on studio.spec.ts; its screenshot goes beside that spec's.
 */
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const browserMissing = !existsSync(chromium);
if (browserMissing && process.env.VAE_STUDIO_REQUIRE_E2E) {
  throw new Error(`no Chromium at ${chromium}: apt-get install chromium, or set CHROME_PATH`);
}
test.skip(browserMissing, `no Chromium at ${chromium}: apt-get install chromium, or set CHROME_PATH`);
test.describe.configure({ mode: 'serial' });

const SHOTS = 'test-results/screenshots';
/** Images per class folder; writeSquares alternates a, b. */
const PER_CLASS = 12;
let studio: ServedStudio;
let page: Page;
let projectDir: string;
let imagesDir: string;

test.beforeAll(async ({ browser }) => {
  const work = await tempDir('vae-e2e-upload-');
  imagesDir = join(work, 'squares');
  await writeSquares(imagesDir, 2 * PER_CLASS, 16);
  // Not an image: the upload leaves it out and says so.
  await writeFile(join(imagesDir, 'notes.txt'), 'taken on a Tuesday\n');
  await mkdir(SHOTS, { recursive: true });
  projectDir = join(work, 'home', 'VAE Studio', 'uploaded');
  studio = await serveStudio(join(work, 'home'));
  page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
});

test.afterAll(async () => {
  await page?.close();
  await studio?.stop();
});

test('a folder chosen with "Upload a folder…" is uploaded into the project and imported', async () => {
  await page.goto(studio.url);
  await page.getByLabel('New project folder').fill(projectDir);
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('tab', { name: 'Dataset' })).toHaveAttribute('aria-selected', 'true');

  // The button opens the browser's folder chooser from the keyboard.
  const button = page.getByRole('button', { name: 'Upload a folder…' });
  await button.focus();
  const chooserOpened = page.waitForEvent('filechooser');
  await page.keyboard.press('Enter');
  const chooser = await chooserOpened;
  expect(chooser.isMultiple()).toBe(true);
  expect(await chooser.element().getAttribute('aria-label')).toBe('Folder to upload');
  await page.getByLabel('Folder to upload').setInputFiles(imagesDir);

  const perClass = page.getByRole('table', { name: 'Images per class folder' });
  await expect(perClass).toBeVisible({ timeout: 60_000 });
  await expect(perClass.getByRole('row', { name: new RegExp(`a\\s+${PER_CLASS}`) })).toBeVisible();
  await expect(perClass.getByRole('row', { name: new RegExp(`b\\s+${PER_CLASS}`) })).toBeVisible();
  await expect(page.getByText('1 file that is not an image was left out.')).toBeVisible();
  await expect(page.getByRole('grid', { name: 'Dataset images' }).locator('img').first()).toBeVisible();
  await page.screenshot({ path: join(SHOTS, '2b-upload.png') });

  // One folder under uploads/, named as the picked folder, its subfolders as the class folders, images only.
  const folders = (await readdir(join(projectDir, 'uploads'))).filter((name) => !name.startsWith('.'));
  expect(folders).toEqual(['squares']);
  const batch = join(projectDir, 'uploads', 'squares');
  await expect(page.getByRole('region', { name: 'Dataset' })).toContainText(
    'from the uploaded folder squares.',
  );
  expect((await readdir(batch)).sort()).toEqual(['a', 'b']);
  for (const label of ['a', 'b']) {
    const sent = (await readdir(join(batch, label))).sort();
    expect(sent).toEqual((await readdir(join(imagesDir, label))).sort());
    expect(sent).toHaveLength(PER_CLASS);
    // The bytes arrive whole.
    expect(await readFile(join(batch, label, sent[0]!))).toEqual(
      await readFile(join(imagesDir, label, sent[0]!)),
    );
  }
  const manifest = JSON.parse(await readFile(join(projectDir, 'dataset', 'manifest.json'), 'utf8')) as {
    count: number;
  };
  expect(manifest.count).toBe(2 * PER_CLASS);
  await expect(page.getByRole('tab', { name: 'Train' })).not.toHaveAttribute('aria-disabled', 'true');
});
