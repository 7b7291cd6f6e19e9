import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeShapesWithPlants } from '../helpers/plantedShapes.js';
import { tempDir } from '../helpers/tinyData.js';
import { serveStudio, type ServedStudio } from './server.js';
import { trainWithCli } from './trainedProject.js';

/**
 * The latent explorer in browser mode on a 64×64×3 model of the default network (latent 32, width 32), trained
 * for a short while with the CLI: sliders change the decode, a dataset image is a start, "Save this image" writes a file and
 * a manifest row with its z. The slider-to-picture round trip is printed (a figure, not a pass/fail time).
 */
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
test.skip(!existsSync(chromium), `no Chromium at ${chromium}: apt-get install chromium, or set CHROME_PATH`);
test.describe.configure({ mode: 'serial' });

const SHOTS = 'test-results/screenshots';
let studio: ServedStudio;
let page: Page;
let projectDir: string;
const roundTrips: number[] = [];

test.beforeAll(async ({ browser }) => {
  test.setTimeout(400_000);
  const work = await tempDir('vae-e2e-explorer-');
  await writeShapesWithPlants(join(work, 'shapes'), 96, 64);
  projectDir = join(work, 'home', 'VAE Studio', 'shapes64');
  await trainWithCli(join(work, 'shapes'), projectDir, 64, [
    '--epochs',
    '20',
    '--batch',
    '32',
    '--seed',
    '1',
  ]);
  await mkdir(SHOTS, { recursive: true });
  studio = await serveStudio(join(work, 'home'));
  page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
  page.on('console', (message) => {
    const ms = /^explorer round trip ([\d.]+) ms/.exec(message.text());
    if (ms) roundTrips.push(Number(ms[1]));
  });
});

test.afterAll(async () => {
  await page?.close();
  await studio?.stop();
});

const decoded = () => page.getByRole('img', { name: 'The decoded latent point' });

test('the sliders move the decode live', async () => {
  await page.goto(studio.url);
  await page.getByLabel('New project folder').fill(projectDir);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Open it' }).click();
  await page.getByRole('tab', { name: 'Explorer' }).click();
  await expect(decoded()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText('From the origin of the latent space.')).toBeVisible();
  const sliders = page.getByRole('slider');
  expect(await sliders.count()).toBeGreaterThan(0);
  const before = await decoded().getAttribute('src');
  const first = sliders.first();
  await first.fill('3');
  await expect(decoded()).not.toHaveAttribute('src', before!);
  // Twenty moves back and forth, as a hand on the slider makes them, each timed by the page.
  for (let i = 0; i < 20; i++) {
    const value = (i % 2 === 0 ? -1 : 1) * (1 + (i % 5) * 0.5);
    const src = await decoded().getAttribute('src');
    await first.fill(String(value));
    await expect(decoded()).not.toHaveAttribute('src', src!);
  }
  const sorted = [...roundTrips].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(
    `explorer round trip, 64×64×3 model on wasm, browser mode: median ${median.toFixed(1)} ms, ` +
      `range ${sorted[0]!.toFixed(1)}–${sorted.at(-1)!.toFixed(1)} ms over ${sorted.length} decodes`,
  );
  await expect(page.getByText(/Each move: \d+ ms from slider to picture/)).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'explorer-sliders.png') });
});

test('a dataset image is a start, and Save this image writes it with its z in the manifest', async () => {
  const grid = page.getByRole('grid', { name: 'Dataset images to start from' });
  // The first three cells are the planted blank images (circles/blank-*.png sort first); the fourth is a circle.
  await grid.getByRole('gridcell').nth(3).click();
  await expect(page.getByText(/^From dataset image circles\/circle-\d+\.png\./)).toBeVisible();
  await page.getByRole('slider').first().fill('-2.5');
  await page.getByRole('button', { name: 'Save this image' }).click();
  await expect(page.getByText(/^Saved .*explorer-000000\.png with its z/)).toBeVisible();
  const out = await page.getByLabel('Explorer output folder path').inputValue();
  expect(out.startsWith(join(projectDir, 'generated', 'explorer-'))).toBe(true);
  const rows = (await readFile(join(out, 'manifest.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { file: string; z: number[]; origin: string; epoch: number });
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ file: 'explorer-000000.png', epoch: 20 });
  expect(rows[0]!.z).toHaveLength(32);
  expect(rows[0]!.origin).toMatch(/^dataset image circles\//);
  expect(existsSync(join(out, 'explorer-000000.png'))).toBe(true);
  await page.screenshot({ path: join(SHOTS, 'explorer-saved.png') });
});
