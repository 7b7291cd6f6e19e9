import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, writeFourBars } from '../helpers/tinyData.js';
import { expectPlainWords } from './plainWords.js';
import { serveStudio, type ServedStudio } from './server.js';

/**
 * The Train view as a user reads it in browser mode (issue 15.3 and 15.5): where training runs in one plain line
 * with a Details disclosure, said once; the loss chart with the KL in a pane of its own; preview grids whose gaps
 * are transparent (the dark theme shows through) and whose reconstructions come from every class; and Generate,
 * started while a training runs, saying what it samples. The images are bars, vertical in class v and horizontal
 * in class h, so a preview cell's class can be read from its pixels.
 */
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
test.skip(!existsSync(chromium), `no Chromium at ${chromium}: apt-get install chromium, or set CHROME_PATH`);
test.describe.configure({ mode: 'serial' });

const SHOTS = 'test-results/screenshots';
let studio: ServedStudio;
let page: Page;
let work: string;

test.beforeAll(async ({ browser }) => {
  work = await tempDir('vae-e2e-train-');
  await writeFourBars(join(work, 'bars'), 96, 16);
  await mkdir(SHOTS, { recursive: true });
  studio = await serveStudio(join(work, 'home'));
  page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
});

test.afterAll(async () => {
  await page?.close();
  await studio?.stop();
});

const field = (label: string) => page.getByLabel(label, { exact: true });

/** Records every text the elements matching `selector` show, as they change (an epoch is faster than a poll). */
async function recordTexts(name: string, selector: string): Promise<void> {
  await page.evaluate(`(() => {
    const seen = (window[${JSON.stringify(name)}] = []);
    const record = () => document.querySelectorAll(${JSON.stringify(selector)}).forEach((el) => {
      const text = el.getAttribute('aria-valuetext') ?? el.textContent.trim();
      if (text && seen.at(-1) !== text) seen.push(text);
    });
    new MutationObserver(record).observe(document.body, {
      subtree: true, childList: true, attributes: true, characterData: true,
    });
  })()`);
}

const recorded = (name: string) => page.evaluate<string[]>(`window[${JSON.stringify(name)}]`);

test('the backend is one plain line with Details, and training says it nowhere else', async () => {
  await page.goto(studio.url);
  await page.getByLabel('Name (optional)').fill('Bars');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByLabel('Image folder on the server').fill(join(work, 'bars'));
  await page.getByLabel('Image size').selectOption('16');
  await page.getByLabel('Colour').selectOption({ label: 'Grayscale' });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Images per class folder' })).toBeVisible({ timeout: 60_000 });

  await page.getByRole('tab', { name: 'Train' }).click();
  const backend = page.getByRole('group', { name: 'Training backend' });
  // The server trains on WebAssembly with its steps on ONNX Runtime, which its npm package brings.
  await expect(backend.locator('.line')).toHaveText(
    /^Runs on the CPU, ONNX Runtime \d+\.\d+\.\d+, \d+ threads?$/,
  );
  const details = backend.locator('details');
  await expect(details).not.toHaveAttribute('open', '');
  await expect(backend.getByText('@tensorflow/tfjs-backend-wasm')).toBeHidden();
  await details.locator('summary').click();
  await expect(backend.getByText('@tensorflow/tfjs-backend-wasm')).toBeVisible();
  await expect(
    backend.getByText(
      /^Training steps run in native code on ONNX Runtime .*; WebAssembly does validation, previews and sampling\.$/,
    ),
  ).toBeVisible();
  await details.locator('summary').click();

  await field('Latent dimension').fill('4');
  await field('Epochs').fill('4');
  await field('Batch size').fill('16');
  await field('Learning rate').fill('0.003');
  // A run of a few dozen steps: no learning-rate warm-up (200 steps by default), so it learns a code whose KL shows.
  await page.getByText('Advanced').click();
  await field('Learning-rate warm-up (steps)').fill('0');
  await recordTexts('statuses', '.run p.status');
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByRole('img', { name: 'Samples after epoch 4' })).toBeVisible({ timeout: 180_000 });
  await expect(page.getByRole('button', { name: 'Start training' })).toBeEnabled({ timeout: 30_000 });
  await expect(backend.locator('.line')).toHaveText(/^Runs on the CPU, ONNX Runtime/);
  // The status line told the run's story, never the backend again.
  const statuses = await recorded('statuses');
  expect(statuses.length).toBeGreaterThan(0);
  for (const s of statuses) expect(s).not.toMatch(/backend|@tensorflow|wasm|npm/i);
  await expectPlainWords(page);
});

test('the chart gives the KL a pane of its own, beside −ELBO and reconstruction on theirs', async () => {
  const chart = page.locator('figure.loss-chart svg');
  await expect(chart.locator('[data-pane="elbo"] .axis-title')).toHaveText(
    '−ELBO and reconstruction, nats / image',
  );
  await expect(chart.locator('[data-pane="kl"] .axis-title')).toHaveText('KL, nats / image');
  const ys = async (id: string) =>
    (await chart.locator(`polyline[data-series="${id}"]`).getAttribute('points'))!
      .trim()
      .split(/\s+/)
      .map((p) => Number(p.split(',')[1]));
  const kl = await ys('train-kl');
  const negElbo = await ys('train-negElbo');
  const reconstruction = await ys('train-reconstruction');
  expect(kl).toHaveLength(4);
  // The KL pane (viewBox y 204–268) scales to the KL: its largest value stands well clear of the pane's floor (a
  // rounded axis top leaves it at least two fifths of the way up), not flattened at 0.
  expect(Math.min(...kl)).toBeLessThan(244);
  expect(Math.max(...kl)).toBeLessThanOrEqual(268);
  expect(Math.min(...kl)).toBeGreaterThan(Math.max(...negElbo, ...reconstruction));
  // −ELBO lies above reconstruction by the KL, visibly apart on their own axis.
  expect(reconstruction.at(-1)! - negElbo.at(-1)!).toBeGreaterThan(2);
  await page.locator('figure.loss-chart').scrollIntoViewIfNeeded();
  await page.setViewportSize({ width: 1024, height: 1100 });
  await page.screenshot({ path: join(SHOTS, '15-5-train-light.png') });
});

test('preview grids have transparent gaps, and the reconstructions come from both classes', async () => {
  // Read in the page: the PNG drawn on a canvas, its alpha in the gaps and over the images, and for each cell of
  // the originals' row how many of its 16 columns hold a bright pixel (3 for a vertical bar, 16 for a
  // horizontal one).
  const pixels = await page.evaluate<{
    size: number[];
    gapAlpha: number[];
    cellAlpha: number[];
    columnsLit: number[];
  }>(`(async () => {
    const image = document.querySelector('img[alt^="Reconstructions after epoch"]');
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const at = (x, y) => data[(y * canvas.width + x) * 4];
    const alpha = (x, y) => data[(y * canvas.width + x) * 4 + 3];
    const columnsLit = Array.from({ length: 8 }, (_, cell) => {
      let lit = 0;
      for (let x = 0; x < 16; x++) {
        let any = false;
        for (let y = 0; y < 16; y++) if (at(cell * 18 + x, y) > 128) any = true;
        if (any) lit += 1;
      }
      return lit;
    });
    return {
      size: [canvas.width, canvas.height],
      gapAlpha: [alpha(16, 0), alpha(17, 8), alpha(0, 16), alpha(40, 17)],
      cellAlpha: [alpha(0, 0), alpha(20, 20)],
      columnsLit,
    };
  })()`);
  expect(pixels.size).toEqual([8 * 16 + 7 * 2, 2 * 16 + 2]);
  expect(pixels.gapAlpha).toEqual([0, 0, 0, 0]);
  expect(pixels.cellAlpha).toEqual([255, 255]);
  const classes = pixels.columnsLit.map((n) => (n <= 4 ? 'v' : n >= 12 ? 'h' : '?'));
  expect(classes).not.toContain('?');
  // Class by class: the first two originals are one of each, not the first images of the first class.
  expect([...classes.slice(0, 2)].sort()).toEqual(['h', 'v']);

  // The dark theme: the page's colour shows through the gaps, no white lines.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.locator('.previews').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, '15-5-train-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1024, height: 700 });
});

test('Generate started while a training runs says it samples the last saved model, in plain words', async () => {
  await field('Epochs').fill('60');
  await page.getByRole('button', { name: 'Start training' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Archive it and start' }).click();
  await expect(page.getByRole('button', { name: 'Cancel', exact: true })).toBeEnabled();

  await page.getByRole('tab', { name: 'Generate' }).click();
  await field('Count').fill('400');
  await recordTexts('generation', '[role="progressbar"][aria-label="Generation progress"]');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect
    .poll(() => recorded('generation'), { timeout: 60_000 })
    .toContainEqual(
      'Starting… Training is running, so this samples the model saved after epoch 4; both share the ' +
        'processor, so the first images may take a while.',
    );
  await expectPlainWords(page);
  await page.setViewportSize({ width: 1024, height: 1000 });
  await page.screenshot({ path: join(SHOTS, '15-3-generate-while-training.png') });
  await page.setViewportSize({ width: 1024, height: 700 });

  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page.getByRole('tab', { name: 'Train' }).click();
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Start training' })).toBeEnabled({ timeout: 60_000 });
});
