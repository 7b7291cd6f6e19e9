import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { expectPlainWords } from './plainWords.js';
import { serveStudio, type ServedStudio } from './server.js';

/**
 * Issue 15.7, the Dataset view after a browser upload: the dataset is called by the folder's own name, the
 * duplicates are listed with the file each copies ("1 duplicate", in the singular), the files left out are listed
 * with why, and long file names wrap between names, never inside one.
 */
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
test.skip(!existsSync(chromium), `no Chromium at ${chromium}: apt-get install chromium, or set CHROME_PATH`);
test.describe.configure({ mode: 'serial' });

const SHOTS = 'test-results/screenshots';
/** A non-image file with a long name, which the narrow side column must wrap. */
const LONG_NAME = 'notes-from-the-trip-to-the-seaside-with-all-the-camera-settings-we-used.txt';
let studio: ServedStudio;
let page: Page;
let work: string;
let imagesDir: string;
let projectDir: string;

test.beforeAll(async ({ browser }) => {
  work = await tempDir('vae-e2e-dataset-');
  imagesDir = join(work, 'holiday snaps');
  await writeSquares(imagesDir, 24, 16);
  // A byte-for-byte copy under another name, and two files that are not images.
  await copyFile(join(imagesDir, 'a', 'img-0000.png'), join(imagesDir, 'a', 'img-0000 (copy).png'));
  await writeFile(join(imagesDir, 'b', LONG_NAME), 'ISO 100\n');
  await writeFile(join(imagesDir, 'readme.md'), '# holiday\n');
  await mkdir(SHOTS, { recursive: true });
  projectDir = join(work, 'home', 'VAE Studio', 'holiday');
  studio = await serveStudio(join(work, 'home'));
  page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
});

test.afterAll(async () => {
  await page?.close();
  await studio?.stop();
});

test('an uploaded folder keeps its name, and its duplicates and left-out files are listed', async () => {
  await page.goto(studio.url);
  await page.getByLabel('Name (optional)').fill('Holiday');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByLabel('Image size').selectOption('16');
  await page.getByLabel('Colour').selectOption({ label: 'Grayscale' });
  await page.getByLabel('Folder to upload').setInputFiles(imagesDir);
  const summary = page.getByRole('region', { name: 'Dataset' });
  await expect(page.getByRole('table', { name: 'Images per class folder' })).toBeVisible({ timeout: 60_000 });

  await expect(summary.locator('p').first()).toHaveText(
    '24 images, 16 × 16 grayscale (cover), from the uploaded folder holiday snaps. 1 duplicate left out.',
  );
  expect((await readdir(join(projectDir, 'uploads'))).filter((f) => !f.startsWith('.'))).toEqual([
    'holiday snaps',
  ]);

  await summary.getByText('Duplicates (1)').click();
  const duplicates = summary.getByRole('table', { name: /Duplicate files/ });
  await expect(duplicates.locator('tbody tr')).toHaveCount(1);
  const [kept, copy] = await duplicates.locator('tbody tr td').allInnerTexts();
  // The first by name is imported, the other left out as its copy.
  expect([kept, copy]).toEqual(['a/img-0000 (copy).png', 'a/img-0000.png']);

  await summary.getByText('Skipped files (2)').click();
  const skipped = summary.getByRole('table', { name: 'Skipped files and why' });
  await expect(skipped.getByRole('row')).toHaveCount(3);
  await expect(skipped).toContainText('readme.md');
  await expect(skipped).toContainText(`b/${LONG_NAME}`);
  await expect(skipped).toContainText('not an image file; left out of the upload');
  await expectPlainWords(page);

  // Every name between separators sits on one line: a path wraps after a '/', not inside a word.
  const splitNames = await page.evaluate<string[]>(`(() => {
    const paths = document.querySelectorAll('table .file-path');
    return [...paths].flatMap((path) =>
      [...path.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent)
        .filter((n) => {
          const range = document.createRange();
          range.selectNodeContents(n);
          const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          // Only a name wider than its column may be cut (the long one here).
          return lines.size > 1 && n.textContent.length < 40;
        })
        .map((n) => n.textContent),
    );
  })()`);
  expect(splitNames).toEqual([]);
  await page.setViewportSize({ width: 1024, height: 1000 });
  await page.screenshot({ path: join(SHOTS, '15-7-dataset.png') });
  await page.setViewportSize({ width: 1024, height: 700 });
});
