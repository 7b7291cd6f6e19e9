/**
 * The layer diagram of docs/architecture.md as an ESLint rule, `layers/no-upward-import`: each relative import
 * (`import`, `export … from`, `import()` with a string, `typeof import('…')`) is resolved against the importing
 * file, and a file in one room may import its own room and the rooms below it, never one above it nor a sibling
 * of its own rank (unless {@link SIBLINGS} allows it). The browser-safe rooms import no Node builtin and none of
 * the Node-only packages. The same table checks the `.vue` files, which ESLint does not read here
 * (test/lint/layers.test.ts).
 *
 * Plain ESM JavaScript, no dependency: eslint.config.js loads it as it is.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';

/** The main side's rooms by rank, lowest first: a room may import any room of a lower rank. */
export const LAYERS = [
  ['src-main/util', 'src-main/contract'],
  ['src-main/engine', 'src-main/engine/node'],
  ['src-main/dataset', 'src-main/project'],
  ['src-main/jobs'],
  ['src-main/worker'],
  ['src-main/studio'],
  ['src-main/cli', 'src-main/server'],
  ['src-main/electron'],
];

/** Same-rank imports that are allowed, `[from, to]`; the other way round stays forbidden. */
export const SIBLINGS = [
  // A UserError carries one of the contract's error codes (a type; the contract imports nothing of ours).
  ['src-main/util', 'src-main/contract'],
  // The Node room starts the backends the core computes on.
  ['src-main/engine/node', 'src-main/engine'],
  // A project holds a dataset cache.
  ['src-main/project', 'src-main/dataset'],
  // `vae-studio serve`.
  ['src-main/cli', 'src-main/server'],
];

/** The renderer's rooms and what of src-main each may import (its own room always). */
export const RENDERER_ROOMS = {
  'src-renderer/src': { rooms: ['src-main/contract'], doors: [] },
  'src-renderer/compute': {
    rooms: ['src-main/contract'],
    doors: ['src-main/engine/index.ts', 'src-main/engine/host/index.ts', 'src-main/engine/kernels/index.ts'],
  },
};

/** Rooms whose code runs in a browser page: no Node builtin, no Node-only package. */
export const BROWSER_SAFE = [
  'src-main/engine',
  'src-main/contract',
  'src-renderer/src',
  'src-renderer/compute',
];

/** Packages that only run under Node or Electron's main side (`webgpu` is Dawn's `dawn.node`). */
export const NODE_ONLY_PACKAGES = ['sharp', 'ws', 'electron', 'webgpu'];

const NODE_BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('_')));

const ORDER = LAYERS.map((rank) => rank.map((room) => room.replace('src-main/', '')).join(', ')).join(' ← ');

const ALL_ROOMS = [...LAYERS.flat(), ...Object.keys(RENDERER_ROOMS)].sort((a, b) => b.length - a.length);

/** The room a repository-relative path lies in (the longest matching folder), or undefined. */
export function roomOf(file) {
  return ALL_ROOMS.find((room) => file === room || file.startsWith(`${room}/`));
}

function rankOf(room) {
  return LAYERS.findIndex((rank) => rank.includes(room));
}

/** `src-main/engine/index.js` → `src-main/engine/index.ts`: what TypeScript's NodeNext `.js` specifiers name. */
function sourcePath(target) {
  if (/\.[cm]?js$/.test(target)) return target.replace(/\.([cm]?)js$/, '.$1ts');
  return target;
}

/** Whether a bare specifier names a Node builtin or a Node-only package. */
function nodeOnly(specifier) {
  if (specifier.startsWith('node:')) return true;
  const name = specifier.startsWith('@') ? specifier.split('/', 2).join('/') : specifier.split('/', 1)[0];
  return NODE_BUILTINS.has(name) || NODE_ONLY_PACKAGES.includes(name);
}

/** A door given as a folder (`../engine`, bundler style) or without extension names its index.ts. */
function isDoor(target, doors) {
  const bare = target.replace(/\.[cm]?ts$/, '');
  return doors.some((door) => {
    const doorBare = door.replace(/\.ts$/, '');
    return bare === doorBare || `${bare}/index` === doorBare;
  });
}

/**
 * Why `fromFile` may not import `specifier`, or undefined when it may. Both paths are repository-relative with
 * `/`; a bare specifier (a package) is checked only in the browser-safe rooms.
 */
export function checkImport(fromFile, specifier) {
  const from = roomOf(fromFile);
  if (from === undefined) return undefined;
  if (!specifier.startsWith('.')) {
    if (BROWSER_SAFE.includes(from) && nodeOnly(specifier)) {
      const where = from === 'src-main/engine' ? ': Node-only engine code goes in src-main/engine/node' : '';
      return `${from} runs in a browser page and may not import ${specifier}${where}`;
    }
    return undefined;
  }
  const target = sourcePath(path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier)));
  const to = roomOf(target);
  if (to === from) return undefined;
  const renderer = RENDERER_ROOMS[from];
  if (renderer !== undefined) {
    if (to !== undefined && renderer.rooms.includes(to)) return undefined;
    if (renderer.doors.length > 0 && isDoor(target, renderer.doors)) return undefined;
    const offers = [
      ...renderer.rooms,
      ...(renderer.doors.length > 0
        ? [`the engine core through its doors (${renderer.doors.join(', ')})`]
        : []),
    ].join(' and ');
    return `${from} may import only its own files and ${offers}, not ${target}`;
  }
  if (to === undefined) {
    // Outside every room: another part of the repository (package.json, assets), or a folder the table lacks.
    if (target.startsWith('src-main/') || target.startsWith('src-renderer/')) {
      return `${from} may not import ${target}: it lies in no room of the layer table (eslint/layers.js)`;
    }
    return undefined;
  }
  if (to.startsWith('src-renderer/'))
    return `${from} may not import ${to}: the main side never imports the UI`;
  const [fromRank, toRank] = [rankOf(from), rankOf(to)];
  if (toRank < fromRank) return undefined;
  if (toRank === fromRank && SIBLINGS.some(([a, b]) => a === from && b === to)) return undefined;
  return `${from} may not import ${to} (layers: ${ORDER})`;
}

/** Repository-relative, with `/`. */
function relative(cwd, file) {
  return path.relative(cwd, file).split(path.sep).join('/');
}

/** @type {import('eslint').Rule.RuleModule} */
const noUpwardImport = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports follow the layer diagram of docs/architecture.md' },
    schema: [],
    messages: { layer: '{{why}}' },
  },
  create(context) {
    const file = relative(context.cwd, context.filename);
    if (roomOf(file) === undefined) return {};
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
      const why = checkImport(file, source.value);
      if (why !== undefined) context.report({ node: source, messageId: 'layer', data: { why } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      // `typeof import('../jobs/index.js')`
      TSImportType: (node) =>
        check(node.argument?.type === 'TSLiteralType' ? node.argument.literal : undefined),
    };
  },
};

/** The plugin: `layers/no-upward-import`. */
export default {
  meta: { name: 'layers' },
  rules: { 'no-upward-import': noUpwardImport },
};
