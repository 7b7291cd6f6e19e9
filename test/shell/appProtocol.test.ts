import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  appRootFor,
  COMPUTE_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  isAppUrl,
  needsContentSecurityPolicy,
  resolveAppFile,
  serveAppFile,
  withContentSecurityPolicy,
} from '../../src-main/electron/appProtocol.js';
import { tempDir } from '../helpers/tinyData.js';

let root: string;
beforeAll(async () => {
  const parent = await tempDir('vae-app-protocol-');
  root = join(parent, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>VAE Studio</title>');
  await writeFile(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  await writeFile(join(parent, 'secret.txt'), 'not for the renderer');
});

describe('the app scheme', () => {
  it('recognises only its own hosts: the renderer and the compute page', () => {
    expect(isAppUrl(APP_ENTRY_URL)).toBe(true);
    expect(isAppUrl(COMPUTE_ENTRY_URL)).toBe(true);
    expect(COMPUTE_ENTRY_URL).toBe('vae://compute/compute.html');
    expect(isAppUrl('vae://app/assets/x.js?v=1#top')).toBe(true);
    expect(isAppUrl('vae://other/index.html')).toBe(false);
    expect(isAppUrl('file:///work/out/renderer/index.html')).toBe(false);
    expect(isAppUrl('https://app/index.html')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('serves vae://compute/ from the compute page folder and everything else from the renderer folder', () => {
    const roots = { renderer: '/app/out/renderer', compute: '/app/out/compute' };
    expect(appRootFor(COMPUTE_ENTRY_URL, roots)).toBe('/app/out/compute');
    expect(appRootFor('vae://compute/assets/compute-1.js', roots)).toBe('/app/out/compute');
    expect(appRootFor(APP_ENTRY_URL, roots)).toBe('/app/out/renderer');
    expect(appRootFor('vae://elsewhere/compute.html', roots)).toBe('/app/out/renderer');
    expect(resolveAppFile('/app/out/compute', 'vae://compute/../renderer/index.html')).toBe(
      join('/app/out/compute', 'renderer', 'index.html'),
    );
  });

  it('maps URLs to files inside the renderer folder and nothing outside it', () => {
    expect(resolveAppFile(root, 'vae://app/')).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'vae://app/assets/index-abc.js?x=1')).toBe(
      join(root, 'assets', 'index-abc.js'),
    );
    expect(resolveAppFile(root, 'vae://app/../secret.txt')).toBe(join(root, 'secret.txt'));
    expect(resolveAppFile(root, 'vae://app/%2e%2e/secret.txt')).toBe(join(root, 'secret.txt'));
    expect(resolveAppFile(root, 'vae://app/assets/..%2f..%2fsecret.txt')).toBeNull();
    expect(resolveAppFile(root, 'vae://app/%2e%2e%2fsecret.txt')).toBeNull();
    expect(resolveAppFile(root, 'vae://app/%E0%A4%A')).toBeNull();
    expect(resolveAppFile(root, 'vae://elsewhere/index.html')).toBeNull();
  });

  it('serves files with their type and the CSP, and answers 404 (still with the CSP) otherwise', async () => {
    const page = await serveAppFile(root, APP_ENTRY_URL);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await page.text()).toContain('<title>VAE Studio</title>');

    const script = await serveAppFile(root, 'vae://app/assets/index-abc.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');

    for (const url of ['vae://app/missing.js', 'vae://app/assets/..%2f..%2fsecret.txt']) {
      const missing = await serveAppFile(root, url);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('has a CSP that allows only its own scripts and styles, data:/blob: images, and no plugins', () => {
    const directives: Record<string, string> = {};
    for (const directive of CONTENT_SECURITY_POLICY.split('; ')) {
      const [name = '', ...sources] = directive.split(' ');
      directives[name] = sources.join(' ');
    }
    expect(directives).toMatchObject({
      'default-src': "'self'",
      'img-src': "'self' data: blob:",
      'style-src': "'self' 'unsafe-inline'",
      'script-src': "'self'",
      'object-src': "'none'",
    });
  });

  it('replaces any CSP a response brings with its own, keeping the other headers', () => {
    const headers = withContentSecurityPolicy({
      'content-security-policy': ['default-src *'],
      'Content-Type': ['text/html'],
    });
    expect(headers).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
    expect(withContentSecurityPolicy(undefined)).toEqual({
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
  });

  it('adds the CSP to documents of the app and the web, never to DevTools, Chromium pages or subresources', () => {
    expect(needsContentSecurityPolicy(APP_ENTRY_URL, 'mainFrame')).toBe(true);
    expect(needsContentSecurityPolicy('https://example.com/', 'subFrame')).toBe(true);
    expect(needsContentSecurityPolicy('file:///tmp/x.html', 'mainFrame')).toBe(true);
    expect(needsContentSecurityPolicy('devtools://devtools/bundled/devtools_app.html', 'mainFrame')).toBe(
      false,
    );
    expect(needsContentSecurityPolicy('chrome://gpu', 'mainFrame')).toBe(false);
    expect(needsContentSecurityPolicy('vae://app/assets/index.js', 'script')).toBe(false);
  });
});
