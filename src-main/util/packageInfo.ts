import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The vae-studio package's folder and version. */
export interface PackageInfo {
  root: string;
  version: string;
}

/**
 * Finds the vae-studio package.json upwards from this file, which runs from src-main/util (tests) and from
 * out/main/util (built). Null when there is none (a bundled copy outside the package).
 */
export function findPackage(): PackageInfo | null {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    const candidate = new URL('package.json', dir);
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vae-studio') return { root: fileURLToPath(dir), version: pkg.version ?? '0.0.0' };
    }
    if (dir.pathname === '/' || dir.pathname.endsWith(':/')) return null;
  }
}
