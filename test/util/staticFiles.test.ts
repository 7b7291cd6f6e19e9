import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentTypeOf, resolveStaticPath } from '../../src-main/util/staticFiles.js';

const root = join('/srv', 'out', 'renderer');

describe('resolveStaticPath', () => {
  it('maps request paths to files under the root, a trailing slash to its index.html', () => {
    expect(resolveStaticPath(root, '/')).toEqual({ ok: true, file: join(root, 'index.html') });
    expect(resolveStaticPath(root, '/assets/app-1.js')).toEqual({
      ok: true,
      file: join(root, 'assets', 'app-1.js'),
    });
    expect(resolveStaticPath(root, '/assets/')).toEqual({
      ok: true,
      file: join(root, 'assets', 'index.html'),
    });
    expect(resolveStaticPath(root, '/./a//b.css')).toEqual({ ok: true, file: join(root, 'a', 'b.css') });
    expect(resolveStaticPath(root, '/my%20file.png')).toEqual({ ok: true, file: join(root, 'my file.png') });
  });

  it('refuses every spelling of `..`: typed, percent-encoded, with backslashes, mid-path', () => {
    for (const path of [
      '/..',
      '/../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E%2Fpackage.json',
      '/..%2fpackage.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/../index.html',
      '/..%5cpackage.json',
      '/..\\package.json',
      '/assets\\..\\..\\package.json',
    ]) {
      expect([path, resolveStaticPath(root, path)]).toEqual([path, { ok: false, reason: 'outside' }]);
    }
  });

  it('keeps absolute-looking paths inside the root instead of jumping to them', () => {
    expect(resolveStaticPath(root, '//etc/passwd')).toEqual({ ok: true, file: join(root, 'etc', 'passwd') });
    expect(resolveStaticPath(root, '/%2Fetc%2Fpasswd')).toEqual({
      ok: true,
      file: join(root, 'etc', 'passwd'),
    });
    expect(resolveStaticPath(root, '/C:\\Windows\\win.ini')).toEqual({
      ok: true,
      file: join(root, 'C:', 'Windows', 'win.ini'),
    });
  });

  it('calls undecodable paths, paths without a leading slash and NUL bytes malformed', () => {
    for (const path of ['/%E0%A4%A', 'etc/passwd', '', '/a%00b', '/a\0b']) {
      expect([path, resolveStaticPath(root, path)]).toEqual([path, { ok: false, reason: 'malformed' }]);
    }
  });

  it('decodes once: a doubly encoded `..` is a plain (missing) file name, not a way out', () => {
    expect(resolveStaticPath(root, '/%252e%252e/package.json')).toEqual({
      ok: true,
      file: join(root, '%2e%2e', 'package.json'),
    });
  });
});

describe('contentTypeOf', () => {
  it('types module scripts as JavaScript (browsers refuse them otherwise), by extension in any case', () => {
    expect(contentTypeOf('a/b.mjs')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('x.WASM')).toBe('application/wasm');
    expect(contentTypeOf('noext')).toBe('application/octet-stream');
  });
});
