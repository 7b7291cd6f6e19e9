import { describe, expect, it } from 'vitest';
import { fileToBase64, newBatchId, planUploadChunks } from '../../../src-renderer/src/lib/upload';

const sized = (...sizes: number[]) => sizes.map((size, i) => ({ name: `f${i}`, file: { size } }));
const names = (chunks: { name: string }[][]) => chunks.map((c) => c.map((f) => f.name));

describe('planUploadChunks', () => {
  it('fills each request up to the byte limit, in order', () => {
    expect(names(planUploadChunks(sized(4, 3, 2, 6, 1), 6))).toEqual([['f0'], ['f1', 'f2'], ['f3'], ['f4']]);
  });

  it('sends a file larger than the limit alone', () => {
    expect(names(planUploadChunks(sized(1, 20, 1), 6))).toEqual([['f0'], ['f1'], ['f2']]);
  });

  it('puts at most maxFiles files in a request', () => {
    expect(planUploadChunks(sized(...Array<number>(5).fill(1)), 100, 2).map((c) => c.length)).toEqual([
      2, 2, 1,
    ]);
  });

  it('plans nothing for no files', () => {
    expect(planUploadChunks([])).toEqual([]);
  });
});

describe('fileToBase64', () => {
  it('encodes the bytes, beyond one conversion slice', async () => {
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => i % 251);
    const decoded = Uint8Array.from(atob(await fileToBase64(new Blob([bytes]))), (c) => c.charCodeAt(0));
    expect(decoded).toEqual(bytes);
  });
});

describe('newBatchId', () => {
  it("fits the contract's batch pattern", () => {
    expect(newBatchId()).toMatch(/^[\w-]{1,64}$/);
  });
});
