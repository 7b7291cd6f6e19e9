/**
 * The renderer is served from a privileged `vae://app/` scheme instead of `file://`: a CSP header can only be
 * set on responses the app produces (Chromium ignores response headers for `file:` pages), 'self' then means
 * exactly the built renderer, and no other file on disk is reachable. Nothing here needs Electron at run time.
 */
import { readFile } from 'node:fs/promises';
import { contentTypeOf, resolveStaticPath } from '../util/staticFiles.js';

/** The scheme the window loads; registered as standard and secure before the app is ready. */
export const APP_SCHEME = 'vae';
const APP_HOST = 'app';

/** Host of the compute page (out/compute), which the hidden compute window opens. */
const COMPUTE_HOST = 'compute';

/** The page the main window opens. */
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** The page the hidden compute window opens: the engine on WebGPU/WebGL, serving training over ports. */
export const COMPUTE_ENTRY_URL = `${APP_SCHEME}://${COMPUTE_HOST}/compute.html`;

/** The renderer's Content-Security-Policy: only its own scripts, no eval, images also from data: and blob:. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Privileges for `protocol.registerSchemesAsPrivileged` (the shape of Electron's `CustomScheme`). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true },
};

/** The host of an app-scheme URL ('app' or 'compute'), or null for any other URL. */
function appHostOf(url: string): typeof APP_HOST | typeof COMPUTE_HOST | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== `${APP_SCHEME}:`) return null;
    return parsed.host === APP_HOST || parsed.host === COMPUTE_HOST ? parsed.host : null;
  } catch {
    return null;
  }
}

/** True for URLs of the app's own pages and assets (the renderer's and the compute page's). */
export function isAppUrl(url: string): boolean {
  return appHostOf(url) !== null;
}

/** The folder an app URL is served from: the compute page's for `vae://compute/…`, else the renderer's. */
export function appRootFor(url: string, roots: { renderer: string; compute: string }): string {
  return appHostOf(url) === COMPUTE_HOST ? roots.compute : roots.renderer;
}

/**
 * The file under `root` that an app URL names ({@link resolveStaticPath}), or null for another host, a path
 * outside `root`, or a malformed URL. `vae://app/` is the entry page.
 */
export function resolveAppFile(root: string, url: string): string | null {
  if (!isAppUrl(url)) return null;
  const resolved = resolveStaticPath(root, new URL(url).pathname);
  return resolved.ok ? resolved.file : null;
}

/** Answers one request of the app scheme from the files under `root`, every response carrying the CSP. */
export async function serveAppFile(root: string, url: string): Promise<Response> {
  const headers = { 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff' };
  const file = resolveAppFile(root, url);
  if (file === null) return new Response('Not found', { status: 404, headers });
  try {
    const body = await readFile(file);
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: { ...headers, 'content-type': contentTypeOf(file) },
    });
  } catch {
    return new Response('Not found', { status: 404, headers });
  }
}

/**
 * Whether `webRequest.onHeadersReceived` should put the app's CSP on a response: documents of the app or of the
 * web. Never DevTools' or Chromium's own pages (devtools:, chrome:), which the policy would break.
 */
export function needsContentSecurityPolicy(url: string, resourceType: string): boolean {
  if (resourceType !== 'mainFrame' && resourceType !== 'subFrame') return false;
  return isAppUrl(url) || /^(https?|file):/i.test(url);
}

/** Response headers with any Content-Security-Policy replaced by the app's (for `webRequest.onHeadersReceived`). */
export function withContentSecurityPolicy(
  headers: Record<string, string[]> | undefined,
): Record<string, string[]> {
  const kept = Object.entries(headers ?? {}).filter(
    ([name]) => name.toLowerCase() !== 'content-security-policy',
  );
  return { ...Object.fromEntries(kept), 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] };
}
