import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { expectPlainWords } from './plainWords.js';
import { serveStudio, type ServedStudio } from './server.js';

/**
 * Issue 15.3 as a user meets it in browser mode: a failure reads as a sentence (no code, no errno, no command
 * line), a notice closes with Escape and goes when the same action succeeds, and a failed import is said once,
 * where the import is. Screenshots go beside studio.spec.ts's.
 */
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
test.skip(!existsSync(chromium), `no Chromium at ${chromium}: apt-get install chromium, or set CHROME_PATH`);
test.describe.configure({ mode: 'serial' });

const SHOTS = 'test-results/screenshots';
let studio: ServedStudio;
let page: Page;
let work: string;

test.beforeAll(async ({ browser }) => {
  work = await tempDir('vae-e2e-messages-');
  await writeSquares(join(work, 'squares'), 24, 16);
  await mkdir(join(work, 'no-images'), { recursive: true });
  await writeFile(join(work, 'no-images', 'readme.txt'), 'nothing to see\n');
  await writeFile(join(work, 'a-file'), 'not a folder\n');
  await mkdir(SHOTS, { recursive: true });
  studio = await serveStudio(join(work, 'home'));
  page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
});

test.afterAll(async () => {
  await page?.close();
  await studio?.stop();
});

const notices = () => page.getByRole('region', { name: 'Notices' });

test('a failure reads as a sentence naming the file, without a code, and Escape closes it', async () => {
  await page.goto(studio.url);
  await page.getByLabel('New project folder').fill(join(work, 'a-file'));
  await page.getByRole('button', { name: 'Create project' }).click();
  const notice = notices().getByRole('alert');
  await expect(notice).toContainText('Could not create the project');
  await expect(notice).toContainText(`${join(work, 'a-file')} is a file, not a folder.`);
  await expectPlainWords(page);
  await page.screenshot({ path: join(SHOTS, '15-3-notice.png') });
  await page.keyboard.press('Escape');
  await expect(notice).toHaveCount(0);
});

test('a failed request stays up until the same action succeeds, then goes by itself', async () => {
  await page.getByLabel('Existing project folder').fill(join(work, 'nowhere'));
  await page.getByRole('button', { name: 'Open project' }).click();
  const notice = notices().getByRole('alert');
  await expect(notice).toContainText('is not a VAE Studio project (it has no project.json).');
  // The app's words: no advice to type a command.
  await expectPlainWords(page);

  await page.getByLabel('Name (optional)').fill('Messages');
  await page.getByLabel('New project folder').fill(join(work, 'messages'));
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('tab', { name: 'Dataset' })).toHaveAttribute('aria-selected', 'true');
  // A project is open now: the failure to open one is stale, and gone.
  await expect(notices()).toHaveCount(0);
});

test('a failed import is said once, in the import panel, and the next import replaces it', async () => {
  const panel = page.getByRole('region', { name: 'Import images' });
  await page.getByLabel('Image folder on the server').fill(join(work, 'no-images'));
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const failure = panel.getByRole('alert');
  await expect(failure).toContainText('Import failed:');
  await expect(failure).toContainText('no-images');
  // One place: not also a notice.
  await expect(notices()).toHaveCount(0);
  await expectPlainWords(page);
  await page.screenshot({ path: join(SHOTS, '15-3-inline-failure.png') });

  await page.getByLabel('Image folder on the server').fill(join(work, 'squares'));
  await page.getByLabel('Image size').selectOption('16');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(panel.getByRole('status')).toContainText(/^Imported 24 of 24 files/, { timeout: 60_000 });
  await expect(panel.getByRole('alert')).toHaveCount(0);
  await expectPlainWords(page);
});
