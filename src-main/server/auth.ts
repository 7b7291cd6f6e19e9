/**
 * Who may use the server. Loopback is no boundary on a shared machine (any local user can connect), so the server
 * requires a token wherever it listens, as Jupyter does: `?token=` once (which answers with an HttpOnly,
 * SameSite=Strict cookie and a redirect to the clean address), the cookie, or `Authorization: Bearer`. Only an
 * explicit opt-out (`vae-studio serve --no-token`, loopback only) drops it. On loopback the Host header must also
 * name a loopback host, so a web page cannot reach the server by DNS rebinding; WebSocket upgrades must come from
 * the server's own origin.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { TOKEN_PARAM } from '../contract/wire.js';

/** A fresh access token: 32 random bytes as 64 hex digits. */
export function generateToken(): string {
  return randomBytes(32).toString('hex');
}

/** Whether `host` (an address or name to listen on) is reachable only from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  if (h.startsWith('::ffff:')) return isLoopbackHost(h.slice('::ffff:'.length));
  return isIP(h) === 4 && h.startsWith('127.');
}

/** A refusal: 401 without the right token, 403 for a foreign Host or Origin; the message says how to get in. */
export interface Denial {
  kind: 'deny';
  status: 401 | 403;
  message: string;
}

/** The verdict on one request: let it through, send it on to a clean URL with a cookie, or refuse it. */
export type AccessDecision =
  { kind: 'allow' } | { kind: 'redirect'; location: string; cookie: string } | Denial;

/** Access rules of one server; `token` null means none is required. */
export class AccessControl {
  private readonly tokenDigest: Buffer | null;

  constructor(
    private readonly token: string | null,
    private readonly loopback: boolean,
    private port = 0,
  ) {
    this.tokenDigest = token === null ? null : digest(token);
  }

  /** The port is known only once the server listens (it may have been 0); the cookie is named after it. */
  setPort(port: number): void {
    this.port = port;
  }

  /** Cookies are shared by every port of a host, so each server's cookie carries its port in its name. */
  get cookieName(): string {
    return `vae_studio_token_${this.port}`;
  }

  /** Decides an HTTP request (a page, an asset, the API). */
  checkRequest(req: IncomingMessage): AccessDecision {
    const hostProblem = this.checkHostHeader(req);
    if (hostProblem) return hostProblem;
    if (this.token === null) return { kind: 'allow' };
    const url = requestUrl(req);
    const fromQuery = url.searchParams.get(TOKEN_PARAM);
    if (fromQuery !== null) {
      if (!this.matches(fromQuery)) return this.unauthorized('the token in the address is wrong');
      url.searchParams.delete(TOKEN_PARAM);
      return {
        kind: 'redirect',
        // One leading slash only: `//host/…` would send the browser to another site.
        location: `/${url.pathname.replace(/^\/+/, '')}${url.search}`,
        cookie: `${this.cookieName}=${this.token}; Path=/; HttpOnly; SameSite=Strict`,
      };
    }
    return this.checkCredentials(req);
  }

  /** Decides a WebSocket upgrade: the same credentials as HTTP (the token may also be in the query), and its own origin. */
  checkUpgrade(req: IncomingMessage): { kind: 'allow' } | Denial {
    const hostProblem = this.checkHostHeader(req);
    if (hostProblem) return hostProblem;
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, req.headers.host)) {
      return {
        kind: 'deny',
        status: 403,
        message: `WebSocket connections are accepted only from pages this server serves; origin ${origin} is not one of them`,
      };
    }
    if (this.token === null) return { kind: 'allow' };
    const fromQuery = requestUrl(req).searchParams.get(TOKEN_PARAM);
    if (fromQuery !== null) {
      return this.matches(fromQuery)
        ? { kind: 'allow' }
        : this.unauthorized('the token in the address is wrong');
    }
    return this.checkCredentials(req);
  }

  private checkCredentials(req: IncomingMessage): { kind: 'allow' } | Denial {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) {
      return this.matches(bearer) ? { kind: 'allow' } : this.unauthorized('the bearer token is wrong');
    }
    const cookie = readCookie(req.headers.cookie, this.cookieName);
    if (cookie !== undefined && this.matches(cookie)) return { kind: 'allow' };
    return this.unauthorized('no access token was given');
  }

  private checkHostHeader(req: IncomingMessage): Denial | null {
    if (!this.loopback) return null;
    const host = hostName(req.headers.host);
    if (host !== null && isLoopbackHost(host)) return null;
    return {
      kind: 'deny',
      status: 403,
      message: `this server listens on a loopback address and answers only to localhost, 127.0.0.1 or [::1], not to "${req.headers.host ?? ''}"`,
    };
  }

  private matches(candidate: string): boolean {
    // Equal-length digests keep the comparison constant-time whatever the candidate's length.
    return this.tokenDigest !== null && timingSafeEqual(digest(candidate), this.tokenDigest);
  }

  private unauthorized(cause: string): Denial {
    return {
      kind: 'deny',
      status: 401,
      message:
        `VAE Studio needs its access token here (${cause}). Open the address that \`vae-studio serve\` printed ` +
        `(it ends in ?${TOKEN_PARAM}=…), or send the header "Authorization: Bearer <token>".`,
    };
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://server.invalid');
}

function hostName(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return null;
  }
}

function sameOrigin(origin: string, hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  try {
    const o = new URL(origin);
    return (
      (o.protocol === 'http:' || o.protocol === 'https:') && o.host === new URL(`http://${hostHeader}`).host
    );
  } catch {
    return false;
  }
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
