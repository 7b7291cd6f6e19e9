import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { serveStudio, type ServedStudio } from './server.js';

/**
 * Training as a user lives through it in browser mode (`vae-studio serve`, Debian's Chromium): a reload in the
 * middle of a run finds the run as it was, and Resume and Start training say what they will do before they do
 * it. The steps build on each other, so they run in order on one page; the views are saved under
 * test-results/screenshots/ as in studio.spec.ts.
 */
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
test.skip(!existsSync(chromium), `no Chromium at ${chromium}: apt-get install chromium, or set CHROME_PATH`);
test.describe.configure({ mode: 'serial' });

const SHOTS = 'test-results/screenshots';
let studio: ServedStudio;
let page: Page;
let work: string;
let projectDir: string;
/** Epochs the model had when the first run was cancelled. */
let cancelledAt = 0;

test.beforeAll(async ({ browser }) => {
  work = await tempDir('vae-e2e-reload-');
  await writeSquares(join(work, 'squares'), 96, 16);
  await mkdir(SHOTS, { recursive: true });
  projectDir = join(work, 'home', 'VAE Studio', 'reload');
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

const field = (label: string) => page.getByLabel(label, { exact: true });
const badge = () => page.locator('header').getByRole('group', { name: 'Running jobs' }).getByRole('button');
const trainingStatus = () => page.locator('.run p[role="status"]');

/** The number of points of every training series on the loss chart. */
async function chartPoints(): Promise<number[]> {
  const lines = page.locator('svg polyline[data-series]');
  await expect(lines.first()).toBeVisible();
  const points = await lines.evaluateAll((all) =>
    (all as unknown as { getAttribute(name: string): string | null }[]).map((l) => l.getAttribute('points')),
  );
  return points.map((p) => (p ?? '').trim().split(/\s+/).length);
}

test('a reload mid-training finds the run as it was: its settings, chart, previews and the header badge', async () => {
  await page.goto(studio.url);
  await page.getByLabel('New project folder').fill(projectDir);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByLabel('Image folder on the server').fill(join(work, 'squares'));
  await page.getByLabel('Image size').selectOption('16');
  await page.getByLabel('Colour').selectOption({ label: 'Grayscale' });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Images per class folder' })).toBeVisible({ timeout: 60_000 });

  await page.getByRole('tab', { name: 'Train' }).click();
  // Not the defaults for 16×16 images (latent 32, β 1, 20 epochs, batch 64), so a form that fell back to them
  // shows. Batches of 4 make an epoch of this toy model take a second or two, so the run outlasts the checks.
  await field('Latent dimension').fill('16');
  await field('β (KL weight)').fill('0.5');
  await field('Epochs').fill('40');
  await field('Batch size').fill('4');
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByRole('img', { name: /^Samples after epoch ([3-9]|\d\d)$/ })).toBeVisible({
    timeout: 120_000,
  });
  const seen = Number(
    (await page.getByRole('img', { name: /^Samples after epoch/ }).getAttribute('alt'))!.split(' ').pop(),
  );

  await page.reload();

  // The Train tab opens by itself, with the run's settings in read-only fields and a word on whose they are.
  await expect(page.getByRole('tab', { name: 'Train' })).toHaveAttribute('aria-selected', 'true');
  await expect(field('Latent dimension')).toHaveValue('16');
  await expect(field('β (KL weight)')).toHaveValue('0.5');
  await expect(field('Epochs')).toHaveValue('40');
  await expect(field('Batch size')).toHaveValue('4');
  await expect(field('Epochs')).toBeDisabled();
  await expect(page.getByText('The fields show the settings of the running training')).toBeVisible();
  await expect(page.getByRole('progressbar', { name: 'Training progress' })).toBeVisible();
  await expect(page.getByText(/^Epoch \d+ of 40 · step \d+ of 22 · \d+%$/)).toBeVisible();
  // The header says how far it is; the chart has every epoch from before the reload; the latest previews show.
  await expect(badge()).toHaveText(/^Training \d+\/40$/);
  const inProgress = Number((await badge().textContent())!.match(/(\d+)\/40/)![1]);
  expect(inProgress).toBeGreaterThan(seen);
  const points = await chartPoints();
  expect(points.length).toBeGreaterThanOrEqual(3);
  for (const count of points) expect(count).toBeGreaterThanOrEqual(seen);
  const samples = page.getByRole('img', { name: /^Samples after epoch \d+$/ });
  await expect(samples).toBeVisible();
  expect(Number((await samples.getAttribute('alt'))!.split(' ').pop())).toBeGreaterThanOrEqual(seen);
  expect(await samples.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
  await expect(page.getByRole('img', { name: /^Reconstructions after epoch \d+$/ })).toBeVisible();
  await shot('train-after-reload');

  // The badge is in the header of every tab, and brings the user back to the run.
  await page.getByRole('tab', { name: 'Dataset' }).click();
  await expect(badge()).toHaveText(/^Training \d+\/40$/);
  await expect(page.getByText('Train a model first')).toHaveCount(0);
  await badge().click();
  await expect(page.getByRole('tab', { name: 'Train' })).toHaveAttribute('aria-selected', 'true');

  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(trainingStatus()).toHaveText(/^Training cancelled; the checkpoint of epoch \d+ is kept\./, {
    timeout: 60_000,
  });
  cancelledAt = Number((await trainingStatus().textContent())!.match(/epoch (\d+) is kept/)![1]);
  expect(cancelledAt).toBeGreaterThanOrEqual(inProgress - 1);
  await expect(badge()).toHaveCount(0);
  await expect(field('Epochs')).toBeEnabled();
});

test('Resume is offered only with epochs left; Start training says first that the model will be archived', async () => {
  // Cancelled before its 40 epochs: Resume would continue it.
  await expect(page.getByRole('button', { name: 'Resume' })).toBeEnabled();
  await expect(
    page.getByText(`The model has trained ${cancelledAt} epochs. Resume continues it to 40 epochs`),
  ).toBeVisible();

  // A new model of 2 epochs: Start asks first, naming where the current one goes; Escape keeps it.
  await field('Epochs').fill('2');
  await page.getByRole('button', { name: 'Start training' }).click();
  const question = page.getByRole('alertdialog', { name: 'Start a new model?' });
  await expect(question).toBeVisible();
  const archive = join(projectDir, 'checkpoints', 'archive');
  await expect(question).toContainText(
    `The current model (trained ${cancelledAt} epochs) will be moved to ${archive}, into a folder named by today's date and time. It is kept, not deleted.`,
  );
  await expect(question.getByRole('button', { name: 'Archive it and start' })).toBeFocused();
  await shot('train-start-question');
  await page.keyboard.press('Escape');
  await expect(question).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Start training' })).toBeFocused();
  await expect(badge()).toHaveCount(0);
  expect(existsSync(archive)).toBe(false);

  // Asked again and answered with Enter: the new model trains, and the old one is in the archive, whole.
  await page.keyboard.press('Enter');
  await expect(question.getByRole('button', { name: 'Archive it and start' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(trainingStatus()).toHaveText(/^Training finished at epoch 2\./, { timeout: 120_000 });
  const archived = await readdir(archive);
  expect(archived).toHaveLength(1);
  const pointer = JSON.parse(await readFile(join(archive, archived[0]!, 'latest.json'), 'utf8')) as {
    epoch: number;
  };
  expect(pointer.epoch).toBe(cancelledAt);

  // 2 of 2 epochs trained: nothing to resume, and the view says how to go on.
  const resume = page.getByRole('button', { name: 'Resume' });
  await expect(resume).toBeDisabled();
  await expect(
    page.getByText(
      'The model has trained 2 epochs, all that Epochs asks for. Set Epochs above 2 to continue it with Resume.',
    ),
  ).toBeVisible();
  await shot('train-resume-needs-epochs');
  await page.getByRole('button', { name: 'Set Epochs to 3' }).click();
  await expect(field('Epochs')).toHaveValue('3');
  await expect(resume).toBeEnabled();
  await resume.click();
  await expect(trainingStatus()).toHaveText(/^Training finished at epoch 3\./, { timeout: 120_000 });
  // No failure on the way: no notice, and the chart has the three epochs.
  await expect(page.getByRole('alert')).toHaveCount(0);
  for (const count of await chartPoints()) expect(count).toBe(3);
});
