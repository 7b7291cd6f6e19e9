#!/usr/bin/env node
/**
 * The README's screenshots, taken from a real project: `node scripts/screenshots.mjs --project <dir> [--out <dir>]`
 * (after `npm run build`). It starts `vae-studio serve` with a scratch HOME, opens the project in Debian's Chromium
 * (CHROME_PATH overrides /usr/bin/chromium) at 1280×800, visits each view as a user would — generating a few images
 * and previewing an interpolation, which the project's generated/ and interpolations/ folders then hold — and
 * saves one PNG per view in `--out` (default docs/screenshots). The project needs an imported dataset and a trained
 * model; a quality report (`vae-studio quality --project <dir>`) makes the Quality view worth a picture.
 * The pictures in docs/screenshots come from a Fashion-MNIST project (docs/quality.md says how it was trained).
 */
/* global document, window */
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { project: { type: 'string' }, out: { type: 'string', default: 'docs/screenshots' } },
});
if (!values.project) {
  console.error('usage: node scripts/screenshots.mjs --project <dir> [--out <dir>]');
  process.exit(2);
}
const project = resolve(values.project);
const out = resolve(values.out);
const LONG = { timeout: 180_000 };

/** `vae-studio serve` on a free port; resolves with its login URL and a stop function. */
async function serve(home) {
  const child = spawn(process.execPath, ['bin/vae-studio.js', 'serve', '--port', '0', '--json'], {
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const message = JSON.parse(line);
        if (message.event === 'result' && message.loginUrl) ok(message.loginUrl);
      } catch {
        // not a JSON line
      }
    });
    child.once('exit', (code) => fail(new Error(`vae-studio serve exited with ${code}`)));
  });
  return { url, stop: () => new Promise((done) => (child.once('exit', done), child.kill('SIGINT'))) };
}

const home = await mkdtemp(join(tmpdir(), 'vae-shots-'));
await mkdir(out, { recursive: true });
const studio = await serve(home);
const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const shot = async (name, { top = true } = {}) => {
    await page.waitForTimeout(500);
    // The top of the view, as a user lands on it (a finished run scrolls its results into view).
    if (top) {
      await page.evaluate(() =>
        document.querySelectorAll('*').forEach((el) => el.scrollTop > 0 && el.scrollTo(0, 0)),
      );
      await page.evaluate(() => window.scrollTo(0, 0));
    }
    await page.screenshot({ path: join(out, `${name}.png`) });
    console.log(join(out, `${name}.png`));
  };
  const tab = async (name) => {
    await page.getByRole('tab', { name }).click();
    await page.waitForLoadState('networkidle');
  };
  await page.goto(studio.url);
  await page.getByRole('heading', { name: 'Welcome to VAE Studio' }).waitFor();
  await shot('1-welcome');
  await page.getByLabel('Existing project folder').fill(project);
  await page.getByRole('button', { name: 'Open project' }).click();
  await page.getByRole('grid', { name: 'Dataset images' }).locator('img').first().waitFor(LONG);
  await shot('3-dataset');

  await tab('Train');
  await page.getByRole('img', { name: /^Samples after epoch/ }).waitFor(LONG);
  await page.getByText(/^Runs on /).waitFor(LONG);
  await shot('4-train');

  await tab('Generate');
  await page.getByLabel('Count', { exact: true }).fill('40');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await page
    .getByRole('list', { name: /^Generated images/ })
    .first()
    .getByRole('img')
    .first()
    .waitFor(LONG);
  await page
    .getByText(/^Wrote \d+|written|saved/i)
    .first()
    .waitFor(LONG)
    .catch(() => undefined);
  await shot('5-generate');

  await tab('Interpolate');
  const grid = page.getByRole('grid', { name: 'Dataset images' });
  const cells = grid.getByRole('gridcell');
  await cells.first().waitFor(LONG);
  // A walk between two classes where the data has them: the first image, then one of the last class shown.
  await cells.first().click();
  const filter = page.getByLabel('Class', { exact: true });
  const classes = await filter.locator('option').count();
  if (classes > 2) {
    await filter.selectOption({ index: classes - 1 });
    await cells.nth(3).click();
  } else {
    await cells.nth(Math.floor((await cells.count()) / 2)).click();
  }
  await page.getByRole('button', { name: 'Preview' }).click();
  const frames = page.getByRole('list', { name: 'Preview frames' });
  await frames.getByRole('img').first().waitFor(LONG);
  await frames.scrollIntoViewIfNeeded();
  await shot('6-interpolate', { top: false });

  await tab('Quality');
  await shot('7-quality');

  // The three views of what the model learned: the map (a point clicked: its reconstruction and neighbours),
  // the outlier ranking, and the latent explorer started from a dataset image with two sliders moved.
  await tab('Map');
  await page.getByRole('button', { name: 'Make the map' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: /^Mapped [\d,]+ images in/ })
    .waitFor(LONG);
  const canvas = page.getByTestId('map-canvas');
  const area = await canvas.boundingBox();
  // Click near the middle until a point opens (the map fills the canvas; most clicks land on one).
  for (const [fx, fy] of [
    [0.5, 0.5],
    [0.4, 0.45],
    [0.6, 0.55],
    [0.3, 0.3],
    [0.7, 0.7],
  ]) {
    await page.mouse.click(area.x + area.width * fx, area.y + area.height * fy);
    const opened = await page
      .getByRole('img', { name: /^The model's reconstruction of / })
      .waitFor({ timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    if (opened) break;
  }
  await shot('8-map');

  await tab('Outliers');
  await page.getByLabel('Images to list').fill('24');
  await page.getByRole('button', { name: 'Rank the images' }).click();
  // An earlier ranking's list shows at once: wait for this one to end (its progress and Cancel go).
  await page.getByRole('button', { name: 'Cancel' }).waitFor({ state: 'detached', ...LONG });
  await page
    .getByRole('list', { name: 'Worst explained images' })
    .getByRole('listitem')
    .first()
    .waitFor(LONG);
  await shot('9-outliers');

  await tab('Explorer');
  const sliders = page.getByRole('slider');
  await sliders.first().waitFor(LONG); // the model is loaded: a picked image now starts the walk
  const starts = page.getByRole('grid', { name: 'Dataset images to start from' }).getByRole('gridcell');
  await starts.first().waitFor(LONG);
  await starts.nth(5).click();
  await page.getByText(/^From dataset image /).waitFor(LONG);
  await sliders.nth(0).fill('1.5');
  await sliders.nth(1).fill('-1.5');
  await page.waitForTimeout(1_000);
  await shot('10-explorer');
} finally {
  await browser.close();
  await studio.stop();
  await rm(home, { recursive: true, force: true });
}
