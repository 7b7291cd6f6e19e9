import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { expectPlainWords } from './plainWords.js';
import { serveStudio, type ServedStudio } from './server.js';

/**
 * Issue 15.8, the project screen as a user meets it in browser mode: the name fills the folder, the whole path
 * is shown, "Create project" on a folder that holds one asks before opening it, the recent projects show a
 * thumbnail and what they hold and can be taken off the list (not off the disk), and the tabs a new project
 * cannot use yet look closed and say why.
 */
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
test.skip(!existsSync(chromium), `no Chromium at ${chromium}: apt-get install chromium, or set CHROME_PATH`);
test.describe.configure({ mode: 'serial' });

const SHOTS = 'test-results/screenshots';
let studio: ServedStudio;
let page: Page;
let work: string;
let projectsDir: string;

test.beforeAll(async ({ browser }) => {
  work = await tempDir('vae-e2e-projects-');
  await writeSquares(join(work, 'squares'), 24, 16);
  await mkdir(SHOTS, { recursive: true });
  projectsDir = join(work, 'home', 'VAE Studio');
  studio = await serveStudio(join(work, 'home'));
  page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
});

test.afterAll(async () => {
  await page?.close();
  await studio?.stop();
});

const folderField = () => page.getByLabel('New project folder');

test('typing a name fills the folder, whose whole path is spelled out, until the folder is edited', async () => {
  await page.goto(studio.url);
  await page.getByLabel('Name (optional)').fill('Holiday Photos 2024');
  await expect(folderField()).toHaveValue(join(projectsDir, 'holiday-photos-2024'));
  await expect(page.getByTestId('new-project-path')).toHaveText(
    `The project will be made in ${join(projectsDir, 'holiday-photos-2024')}`,
  );
  // Edited by hand, the folder stays as typed.
  await folderField().fill(join(work, 'mine', 'squares'));
  await page.getByLabel('Name (optional)').fill('Squares');
  await expect(folderField()).toHaveValue(join(work, 'mine', 'squares'));
  await page.screenshot({ path: join(SHOTS, '15-8-new-project.png') });
});

test('tabs that need a dataset look closed, with a lock, and say why on hover and focus', async () => {
  await page.getByRole('button', { name: 'Create project' }).click();
  const train = page.getByRole('tab', { name: 'Train' });
  await expect(train).toHaveAttribute('aria-disabled', 'true');
  await expect(train.locator('svg.lock')).toBeVisible();
  const why = page.getByRole('tooltip').filter({ hasText: 'Import a dataset first (Dataset tab).' });
  await expect(why).toBeHidden();
  await train.hover();
  await expect(why).toBeVisible();
  await expect(train).toHaveAccessibleDescription('Import a dataset first (Dataset tab).');
  await page.screenshot({ path: join(SHOTS, '15-8-closed-tab.png') });
  // The keyboard reaches it too, and it stays closed.
  await page.mouse.move(600, 600);
  await page.getByRole('tab', { name: 'Dataset' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(train).toBeFocused();
  await expect(why).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Dataset' })).toHaveAttribute('aria-selected', 'true');

  await page.getByLabel('Image folder on the server').fill(join(work, 'squares'));
  await page.getByLabel('Image size').selectOption('16');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Images per class folder' })).toBeVisible({ timeout: 60_000 });
  await expect(train).not.toHaveAttribute('aria-disabled', 'true');
  await expect(train.locator('svg.lock')).toHaveCount(0);
});

test('"Create project" on a folder that holds a project says so and opens it only when asked', async () => {
  await page.getByRole('button', { name: 'Switch project' }).click();
  await folderField().fill(join(work, 'mine', 'squares'));
  await page.getByRole('button', { name: 'Create project' }).click();
  const question = page.getByRole('alertdialog', { name: 'There is a project in this folder already' });
  await expect(question).toContainText(
    `${join(work, 'mine', 'squares')} already holds the project “Squares”`,
  );
  await expectPlainWords(page);
  await page.screenshot({ path: join(SHOTS, '15-8-project-exists.png') });
  await question.getByRole('button', { name: 'Choose another folder' }).click();
  await expect(question).toHaveCount(0);
  await expect(folderField()).toBeFocused();

  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Open it' }).click();
  await expect(page.locator('header .project-name')).toHaveText('Squares');
  await expect(page.getByRole('table', { name: 'Images per class folder' })).toBeVisible();
});

test('recent projects show a thumbnail and what they hold, and leave the list, not the disk', async () => {
  // A second project, so the list has two.
  await page.getByRole('button', { name: 'Switch project' }).click();
  await page.getByLabel('Name (optional)').fill('Empty one');
  await folderField().fill(join(projectsDir, 'empty-one'));
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.locator('header .project-name')).toHaveText('Empty one');
  await page.getByRole('button', { name: 'Switch project' }).click();

  const recent = page.getByRole('list', { name: 'Recent projects' });
  const squares = recent.getByRole('listitem').filter({ hasText: 'Squares' });
  await expect(squares).toContainText('24 images · no model');
  await expect(squares.getByRole('img', { name: 'Squares: preview' })).toBeVisible();
  const thumbnail = await squares.getByRole('img').evaluate((img) => {
    const { naturalWidth, naturalHeight } = img as unknown as { naturalWidth: number; naturalHeight: number };
    return [naturalWidth, naturalHeight];
  });
  expect(thumbnail).toEqual([16, 16]);
  const empty = recent.getByRole('listitem').filter({ hasText: 'Empty one' });
  await expect(empty).toContainText('No dataset yet · no model');
  // The whole path, wrapped, not cut off.
  await expect(squares.locator('.file-path')).toHaveText(join(work, 'mine', 'squares'));
  await page.setViewportSize({ width: 1024, height: 900 });
  await page.screenshot({ path: join(SHOTS, '15-8-recent.png') });

  await empty.getByRole('button', { name: 'Remove Empty one from the list' }).click();
  await expect(empty).toHaveCount(0);
  const said = page.getByRole('region', { name: 'Notices' }).getByRole('status');
  await expect(said).toContainText(`its folder is still on disk: ${join(projectsDir, 'empty-one')}`);
  expect(existsSync(join(projectsDir, 'empty-one', 'project.json'))).toBe(true);
  await expectPlainWords(page);
  // Information goes by itself after a few seconds.
  await expect(said).toHaveCount(0, { timeout: 10_000 });
  await page.setViewportSize({ width: 1024, height: 700 });
});
