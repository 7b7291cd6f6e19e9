import { describe, expect, it } from 'vitest';
import { folderNameFor, isAbsoluteFolder, joinFolder } from '../../../src-renderer/src/lib/projectFolder';

describe('folderNameFor', () => {
  it('makes a folder name anyone can type from a project name', () => {
    expect(folderNameFor('My Cats!')).toBe('my-cats');
    expect(folderNameFor('  Café  crème ')).toBe('cafe-creme');
    expect(folderNameFor('Кошки 2')).toBe('кошки-2');
    expect(folderNameFor('../..')).toBe('my-project');
    expect(folderNameFor('')).toBe('my-project');
  });
});

describe('joinFolder and isAbsoluteFolder', () => {
  it("keep the projects folder's own separator", () => {
    expect(joinFolder('/home/ada/VAE Studio/', 'cats')).toBe('/home/ada/VAE Studio/cats');
    expect(joinFolder('C:\\Users\\ada\\VAE', 'cats')).toBe('C:\\Users\\ada\\VAE\\cats');
    expect([isAbsoluteFolder('/x'), isAbsoluteFolder('C:\\x'), isAbsoluteFolder('cats')]).toEqual([
      true,
      true,
      false,
    ]);
  });
});
