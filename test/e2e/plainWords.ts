import { expect, type Page } from '@playwright/test';

/**
 * What the app must never show a person (issue 15.3): an error code (NO_IMAGES), a job id (train-3), a raw
 * errno (EEXIST), a command-line flag (--epochs) or the command itself (vae-studio import …), or a stack line.
 */
const DEVELOPER_OUTPUT = [
  /\b[A-Z]{2,}_[A-Z_]+\b/,
  /\b(import|train|generate|quality|interpolate)-\d+\b/,
  /\bE[A-Z]{3,}:/,
  /(^|\s)--[a-z]/,
  /\bvae-studio [a-z]/,
  /\bat \S+:\d+:\d+/,
];

/** Fails when the page's visible text holds developer output; returns the text for more checks. */
export async function expectPlainWords(page: Page): Promise<string> {
  const text = await page.locator('body').innerText();
  for (const pattern of DEVELOPER_OUTPUT) expect(text, `the page shows ${pattern}`).not.toMatch(pattern);
  return text;
}
