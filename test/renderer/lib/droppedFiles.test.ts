import { describe, expect, it } from 'vitest';
import { collectImageFiles, droppedEntries } from '../../../src-renderer/src/lib/droppedFiles';
import { dataTransfer, dirEntry, fileEntry } from '../entries';

describe('collectImageFiles', () => {
  it('makes one dropped folder the root, so its subfolders become the classes', async () => {
    const pets = dirEntry('/pets', [
      dirEntry('/pets/cats', [
        fileEntry('/pets/cats/1.png'),
        fileEntry('/pets/cats/2.JPG'),
        fileEntry('/pets/cats/3.webp'),
      ]),
      dirEntry('/pets/dogs', [fileEntry('/pets/dogs/1.png')]),
      fileEntry('/pets/notes.txt'),
      fileEntry('/pets/.DS_Store'),
    ]);
    const { files, leftOut, name } = await collectImageFiles(droppedEntries(dataTransfer([pets])));
    expect(files.map((f) => f.path)).toEqual(['cats/1.png', 'cats/2.JPG', 'cats/3.webp', 'dogs/1.png']);
    expect(files[0]!.file.size).toBe(4);
    // What was left out, by name, for the Dataset view to list; the upload folder takes the folder's name.
    expect(leftOut).toEqual(['notes.txt', '.DS_Store']);
    expect(name).toBe('pets');
  });

  it('keeps several dropped folders as classes and loose files at the top level', async () => {
    const entries = [
      dirEntry('/cats', [fileEntry('/cats/a.png')]),
      dirEntry('/dogs', [fileEntry('/dogs/b.png')]),
      fileEntry('/c.gif'),
    ];
    const { files, name } = await collectImageFiles(entries);
    expect(files.map((f) => f.path)).toEqual(['cats/a.png', 'dogs/b.png', 'c.gif']);
    expect(name).toBeNull();
  });
});
