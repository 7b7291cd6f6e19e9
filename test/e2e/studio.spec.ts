import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { serveStudio, type ServedStudio } from './server.js';

/**
 * The browser mode as a user meets it: `vae-studio serve`, Debian's Chromium, a small folder of images. The steps
 * build on each other (import → train → generate → quality → interpolate), so they run in order on one page, and each view
 * is saved as a screenshot under test-results/screenshots/ (the README's pictures come from there).
 */
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const browserMissing = !existsSync(chromium);
if (browserMissing && process.env.VAE_STUDIO_REQUIRE_E2E) {
  throw new Error(`no Chromium at ${chromium}: apt-get install chromium, or set CHROME_PATH`);
}
test.skip(browserMissing, `no Chromium at ${chromium}: apt-get install chromium, or set CHROME_PATH`);
test.describe.configure({ mode: 'serial' });

const SHOTS = 'test-results/screenshots';
let studio: ServedStudio;
let page: Page;
let work: string;
let projectDir: string;
let imagesDir: string;

test.beforeAll(async ({ browser }) => {
  work = await tempDir('vae-e2e-');
  imagesDir = join(work, 'squares');
  await writeSquares(imagesDir, 96, 16);
  await mkdir(join(work, 'no-images'), { recursive: true });
  await mkdir(SHOTS, { recursive: true });
  projectDir = join(work, 'home', 'VAE Studio', 'squares');
  studio = await serveStudio(join(work, 'home'));
  page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
});

test.afterAll(async () => {
  await page?.close();
  await studio?.stop();
});

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

test('a new user is told what to do and creates a project', async () => {
  await page.goto(studio.url);
  await expect(page.getByRole('heading', { name: 'Welcome to VAE Studio' })).toBeVisible();
  await shot('1-welcome');
  await page.getByLabel('New project folder').fill(projectDir);
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('tab', { name: 'Dataset' })).toHaveAttribute('aria-selected', 'true');
  // Training needs a dataset first, and the tab says so.
  await expect(page.getByRole('tab', { name: 'Train' })).toHaveAttribute('aria-disabled', 'true');
  expect(JSON.parse(await readFile(join(projectDir, 'project.json'), 'utf8'))).toMatchObject({ version: 1 });
});

test('a folder with no images gives a clear error that names it', async () => {
  await page.getByLabel('Image folder on the server').fill(join(work, 'no-images'));
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  // Said once, where the import is (not also as a notice); the next import replaces it.
  const failure = page.getByRole('region', { name: 'Import images' }).getByRole('alert');
  await expect(failure).toContainText('no-images');
  await expect(failure).toContainText(/no (supported )?images/i);
  await expect(page.getByRole('region', { name: 'Notices' })).toHaveCount(0);
  await shot('2-import-error');
});

test('importing a folder shows its classes and a grid of thumbnails', async () => {
  await page.getByLabel('Image folder on the server').fill(imagesDir);
  await page.getByLabel('Image size').selectOption('16');
  await page.getByLabel('Colour').selectOption({ label: 'Grayscale' });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const perClass = page.getByRole('table', { name: 'Images per class folder' });
  await expect(perClass).toBeVisible({ timeout: 60_000 });
  await expect(perClass.getByRole('row', { name: /a\s+48/ })).toBeVisible();
  await expect(perClass.getByRole('row', { name: /b\s+48/ })).toBeVisible();
  const grid = page.getByRole('grid', { name: 'Dataset images' });
  await expect(grid.locator('img').first()).toBeVisible();
  // Thumbnails are the imported 16×16 pixels themselves.
  const size = await grid
    .locator('img')
    .first()
    .evaluate((img) => {
      const { naturalWidth, naturalHeight } = img as unknown as {
        naturalWidth: number;
        naturalHeight: number;
      };
      return [naturalWidth, naturalHeight];
    });
  expect(size).toEqual([16, 16]);
  await shot('3-dataset');
  const manifest = JSON.parse(await readFile(join(projectDir, 'dataset', 'manifest.json'), 'utf8')) as {
    count: number;
    size: number;
    channels: number;
  };
  expect(manifest).toMatchObject({ count: 96, size: 16, channels: 1 });
});

test('training two epochs draws the chart and refreshes the previews each epoch', async () => {
  await page.getByRole('tab', { name: 'Train' }).click();
  await page.getByLabel('Latent dimension', { exact: true }).fill('4');
  await page.getByLabel('Epochs', { exact: true }).fill('2');
  await page.getByLabel('Batch size', { exact: true }).fill('16');
  await page.getByLabel('Learning rate', { exact: true }).fill('0.003');
  // A bad value is named next to its field and blocks Start.
  await page.getByLabel('Batch size', { exact: true }).fill('0');
  await expect(page.getByRole('button', { name: 'Start training' })).toBeDisabled();
  await expect(page.getByText(/at least 1/)).toBeVisible();
  await page.getByLabel('Batch size', { exact: true }).fill('16');
  // An epoch of this toy model takes about a second, faster than a poll, so the page records every preview image
  // it shows as it appears.
  await page.evaluate(`(() => {
    window.__previews = [];
    const record = () => document.querySelectorAll('img[alt^="Samples after epoch"]').forEach((img) => {
      const seen = window.__previews.some((p) => p.alt === img.alt && p.src === img.src);
      if (!seen) window.__previews.push({ alt: img.alt, src: img.src });
    });
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true });
  })()`);
  await page.getByRole('button', { name: 'Start training' }).click();

  await expect(page.getByRole('img', { name: 'Samples after epoch 2' })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('img', { name: 'Reconstructions after epoch 2' })).toBeVisible();
  const previews = await page.evaluate<{ alt: string; src: string }[]>('window.__previews');
  expect(previews.map((p) => p.alt)).toEqual(['Samples after epoch 1', 'Samples after epoch 2']);
  for (const p of previews) expect(p.src).toMatch(/^data:image\/png;base64,/);
  expect(previews[1]!.src).not.toEqual(previews[0]!.src);
  // One point per finished epoch on every training series.
  const series = page.locator('svg polyline[data-series]');
  await expect(series.first()).toBeVisible();
  const pointLists = await series.evaluateAll((lines) =>
    (lines as unknown as { getAttribute(name: string): string | null }[]).map((line) =>
      line.getAttribute('points'),
    ),
  );
  const pointCounts = pointLists.map((points) => (points ?? '').trim().split(/\s+/).length);
  expect(pointCounts.length).toBeGreaterThanOrEqual(3);
  for (const count of pointCounts) expect(count).toBe(2);
  await expect(page.getByRole('group', { name: 'Training backend' })).toContainText(/wasm/i);
  await expect(page.getByRole('button', { name: 'Start training' })).toBeEnabled({ timeout: 30_000 });
  await shot('4-train');
  const latest = JSON.parse(await readFile(join(projectDir, 'checkpoints', 'latest.json'), 'utf8')) as {
    dir?: string;
    epoch?: number;
  };
  expect(JSON.stringify(latest)).toMatch(/epoch-0002/);
});

test('generating 12 images writes them to disk with a manifest and shows them', async () => {
  await page.getByRole('tab', { name: 'Generate' }).click();
  const out = join(work, 'generated-12');
  await page.getByLabel('Count', { exact: true }).fill('12');
  await page.getByLabel('Seed', { exact: true }).fill('7');
  await page.getByLabel('Output folder', { exact: true }).fill(out);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  const gallery = page.getByRole('list', { name: 'Generated images' });
  await expect(gallery.getByRole('img')).toHaveCount(12, { timeout: 60_000 });
  await shot('5-generate');
  // The squares lie in class folders, so the model is conditional and the images land in <out>/<class>/.
  const files = (await readdir(out, { recursive: true }))
    .filter((f) => f.endsWith('.png'))
    .map((f) => f.split(sep).join('/'))
    .sort();
  expect(files).toHaveLength(12);
  const lines = (await readFile(join(out, 'manifest.jsonl'), 'utf8')).trim().split('\n');
  expect(lines).toHaveLength(12);
  const first = JSON.parse(lines[0]!) as { file: string; seed: number; z: number[] };
  expect(first.seed).toBe(7);
  expect(first.z).toHaveLength(4);
  expect(files).toContain(first.file);
  expect(existsSync(join(out, 'manifest.csv'))).toBe(true);
});

test('the quality report scores the model: verdict, figures, near-copies, the trend and the report file', async () => {
  await page.getByRole('tab', { name: 'Quality' }).click();
  await expect(page.getByText('No report yet: each one you make adds a point here.')).toBeVisible();
  // A small report: 60 samples, and a likelihood on 5 images with 20 samples each, so it takes seconds.
  await page.getByLabel('Images to score', { exact: true }).fill('60');
  await page.getByText('More settings').click();
  await page.getByLabel('Images for the likelihood', { exact: true }).fill('5');
  await page.getByLabel('Importance samples', { exact: true }).fill('20');
  await page.getByRole('button', { name: 'Score the model' }).click();

  const verdict = page.getByRole('list', { name: 'Verdict' });
  await expect(verdict.getByRole('listitem').first()).toContainText(/coverage/, { timeout: 60_000 });
  await expect(page.getByRole('status').filter({ hasText: /^Scored 60 images in/ })).toBeVisible();
  const figures = page.getByRole('table', { name: 'Figures' });
  await expect(figures.locator('tr[data-figure="fid"] td').first()).toHaveText(/^\d+(\.\d+)?(e[+-]?\d+)?$/);
  for (const share of ['precision', 'recall', 'coverage']) {
    await expect(figures.locator(`tr[data-figure="${share}"] td`).first()).toHaveText(/^\d{1,3} %$/);
  }
  await expect(figures.getByRole('row', { name: /Coverage/ })).toContainText(
    "Share of the real images' variety the samples reach",
  );

  // Either near-copies, each beside its nearest training images, or the sentence that there are none.
  const copies = page.getByRole('list', { name: 'Near-copies' });
  const none = page.getByText(/No near-copies: none of the 60 samples/);
  await expect(copies.or(none)).toBeVisible();
  if (await copies.isVisible()) {
    const first = copies.getByRole('listitem').first();
    await expect(first.getByRole('img', { name: /^Sample \d+$/ })).toBeVisible();
    await expect(first.getByRole('img', { name: /^Nearest training image by features: / })).toBeVisible();
    await expect(first.getByRole('img', { name: /^Nearest training image by pixels: / })).toBeVisible();
  }

  // Whatever the rule says, the 8 samples nearest a training image in pixels, each beside that image.
  const closest = page.getByRole('list', { name: 'Closest to a training image' });
  await expect(closest.getByRole('listitem')).toHaveCount(8);
  await expect(closest.getByRole('img', { name: /^Sample \d+$/ })).toHaveCount(8);
  await expect(closest.getByRole('img', { name: /^Nearest training image by pixels: / })).toHaveCount(8);

  // One report so far: one point per series, labelled by the model's epoch.
  await expect(page.locator('svg circle[data-point="fid"]')).toHaveCount(1);
  await expect(page.locator('svg circle[data-point="coverage"]')).toHaveCount(1);
  await expect(
    page.getByRole('img', { name: /^Figures across the project’s models, 1 reports/ }),
  ).toContainText('epoch 2');

  // Browser mode cannot open folders: the report's folder is offered as text, and its files are on disk.
  const folder = await page.getByLabel('Report folder path').inputValue();
  expect(folder.startsWith(join(projectDir, 'quality'))).toBe(true);
  const reportFile = (await page.locator('code.report-file').textContent())?.trim() ?? '';
  expect(reportFile).toBe(join(folder, 'report.html'));
  expect(existsSync(reportFile)).toBe(true);
  const saved = JSON.parse(await readFile(join(folder, 'report.json'), 'utf8')) as {
    scored: { count: number };
    verdict: string[];
  };
  expect(saved.scored.count).toBe(60);
  await expect(verdict.getByRole('listitem')).toHaveCount(saved.verdict.length);
  // The whole view in one picture: the settings folded away and a window tall enough for the report.
  await page.getByText('More settings').click();
  await page.setViewportSize({ width: 1024, height: 1500 });
  await shot('7-quality');
  await page.setViewportSize({ width: 1024, height: 700 });
});

test('interpolating two dataset images previews the path and exports frames and an animation', async () => {
  await page.getByRole('tab', { name: 'Interpolate' }).click();
  const grid = page.getByRole('grid', { name: 'Dataset images' });
  // One click per image: the first is A, the next B.
  await grid.locator('img').nth(0).click();
  await grid.locator('img').nth(5).click();
  await expect(grid.getByRole('gridcell').nth(0)).toContainText('A');
  await expect(grid.getByRole('gridcell').nth(5)).toContainText('B');
  await page.getByLabel('Steps', { exact: true }).fill('6');
  await page.getByRole('button', { name: 'Preview' }).click();
  const strip = page.getByRole('list', { name: 'Preview frames' });
  await expect(strip.getByRole('img')).toHaveCount(6, { timeout: 60_000 });
  await expect(strip.getByRole('img', { name: 'Frame 1 of 6' })).toBeVisible();
  await page.getByRole('button', { name: 'Export' }).click();
  const outField = page.getByLabel('Output folder path');
  await expect(outField).toHaveValue(/interpolations/, { timeout: 60_000 });
  const out = await outField.inputValue();
  await expect
    .poll(async () =>
      existsSync(out) ? (await readdir(out)).filter((f) => /^frame-\d+\.png$/.test(f)).length : 0,
    )
    .toBe(6);
  expect(existsSync(join(out, 'contact-sheet.png'))).toBe(true);
  expect(existsSync(join(out, 'interpolation.webp'))).toBe(true);
  await strip.scrollIntoViewIfNeeded();
  await shot('6-interpolate');
});
