// Types of layers.js (plain JavaScript, so that eslint.config.js loads it without a build), for the tests.
import type { ESLint } from 'eslint';

export declare const LAYERS: readonly (readonly string[])[];
export declare const SIBLINGS: readonly (readonly [string, string])[];
export declare const RENDERER_ROOMS: Readonly<
  Record<string, { rooms: readonly string[]; doors: readonly string[] }>
>;
export declare const BROWSER_SAFE: readonly string[];
export declare const NODE_ONLY_PACKAGES: readonly string[];
/** The room a repository-relative path lies in (the longest matching folder), or undefined. */
export declare function roomOf(file: string): string | undefined;
/** Why `fromFile` may not import `specifier`, or undefined when it may (repository-relative paths, `/`). */
export declare function checkImport(fromFile: string, specifier: string): string | undefined;
declare const plugin: ESLint.Plugin;
export default plugin;
