import { describe, expect, it } from 'vitest';
import { zipDownloadOf } from '../../../src-renderer/src/lib/downloads';

describe('zipDownloadOf', () => {
  const root = '/home/ada/vae-projects/pets';

  it('offers a zip of the project’s generation runs and interpolation exports in browser mode', () => {
    expect(zipDownloadOf(`${root}/generated/run-1`, root, 'browser')).toBe(
      `/api/zip?folder=${encodeURIComponent(`${root}/generated/run-1`)}`,
    );
    expect(zipDownloadOf(`${root}/interpolations/20250601-120000`, `${root}/`, 'browser')).toMatch(
      /^\/api\/zip\?/,
    );
  });

  it('offers none in the desktop app, for a folder elsewhere, or for the output folders themselves', () => {
    expect(zipDownloadOf(`${root}/generated/run-1`, root, 'electron')).toBeUndefined();
    expect(zipDownloadOf('/tmp/out', root, 'browser')).toBeUndefined();
    expect(zipDownloadOf(`${root}/generated`, root, 'browser')).toBeUndefined();
    expect(zipDownloadOf(`${root}/dataset/x`, root, 'browser')).toBeUndefined();
    expect(zipDownloadOf(`${root}-other/generated/run-1`, root, 'browser')).toBeUndefined();
  });
});
