/**
 * Headers every HTTP answer carries, and the one way to send a short text answer. The Content-Security-Policy
 * lets the page load only its own scripts and styles, images from itself or `data:`/`blob:` URLs (previews travel
 * as data URLs), and connect only back to this server.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

// A Host header that is a plain name or address with an optional port; anything else is left out of the CSP.
const PLAIN_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** The security headers for an answer to `req`. */
export function securityHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const host = req.headers.host;
  // 'self' covers ws: on the page's own host in CSP 3; the explicit URLs are for browsers that predate it.
  const sockets = host && PLAIN_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return {
    'Content-Security-Policy': [
      "default-src 'self'",
      "script-src 'self'",
      // Vue writes `style` attributes at run time.
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      `connect-src 'self'${sockets}`,
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

/** Ends `res` with a plain-text body (nothing but headers for HEAD). */
export function sendText(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  text: string,
  extra: OutgoingHttpHeaders = {},
): void {
  const body = Buffer.from(text.endsWith('\n') ? text : `${text}\n`, 'utf8');
  res.writeHead(status, {
    ...securityHeaders(req),
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Ends `res` with a JSON body. */
export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, value: unknown): void {
  sendText(req, res, status, JSON.stringify(value), { 'Content-Type': 'application/json; charset=utf-8' });
}
