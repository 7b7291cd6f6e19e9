import { describe, expect, it } from 'vitest';
import { pickedImageFiles } from '../../../src-renderer/src/lib/pickedFolder';
import { pickedFile } from '../entries';

describe('pickedImageFiles', () => {
  it('makes the picked folder the root, so its subfolders become the classes', () => {
    const picked = [
      pickedFile('pets/cats/1.png'),
      pickedFile('pets/cats/2.JPG'),
      pickedFile('pets/dogs/puppies/3.webp', 9),
      pickedFile('pets/top.gif'),
    ];
    const { files, leftOut, name } = pickedImageFiles(picked);
    expect(files.map((f) => f.path)).toEqual(['cats/1.png', 'cats/2.JPG', 'dogs/puppies/3.webp', 'top.gif']);
    expect(files[2]!.file.size).toBe(9);
    expect(leftOut).toEqual([]);
    expect(name).toBe('pets');
  });

  it('leaves out files that are not images, and hidden files, and names them', () => {
    const { files, leftOut } = pickedImageFiles([
      pickedFile('pets/cats/1.png'),
      pickedFile('pets/notes.txt'),
      pickedFile('pets/cats/.DS_Store'),
      pickedFile('pets/cats/._2.png'),
    ]);
    expect(files.map((f) => f.path)).toEqual(['cats/1.png']);
    expect(leftOut).toEqual(['notes.txt', 'cats/.DS_Store', 'cats/._2.png']);
  });

  it('puts a file without a relative path (a plain file input) at the top level', () => {
    const { files, name } = pickedImageFiles([new File([new Uint8Array(2)], 'lone.png')]);
    expect(files.map((f) => f.path)).toEqual(['lone.png']);
    expect(name).toBeNull();
  });
});
