/**
 * The layer rule (eslint/layers.js): wrong-way imports planted in each kind of room fail with
 * `layers/no-upward-import`, allowed ones pass, the real eslint.config.js applies it to every room, the tree as it
 * is obeys it, and the `.vue` files (which ESLint does not read here) obey the same table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import layers, { checkImport } from '../../eslint/layers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const RULE = 'layers/no-upward-import';

/** Only the layer rule, without type information: fast, and independent of the other rules. */
const layersOnly = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser },
      // Known, so that the tree's `eslint-disable` comments for its rules are no errors; off here.
      plugins: { layers, '@typescript-eslint': tseslint.plugin },
      linterOptions: { reportUnusedDisableDirectives: 'off' },
      rules: { [RULE]: 'error' },
    },
  ],
});

/** The messages of `code` linted as if it were the file `file` (repository-relative). */
async function lint(file: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await layersOnly.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).map(({ ruleId, message }) => ({ ruleId, message }));
}

describe('layers/no-upward-import', () => {
  it('fails an upward import in the engine core, naming both rooms and the order', async () => {
    const messages = await lint('src-main/engine/x.ts', "import '../jobs/index.js';\n");
    expect(messages).toHaveLength(1);
    expect(messages[0]?.ruleId).toBe(RULE);
    expect(messages[0]?.message).toMatch(
      /^src-main\/engine may not import src-main\/jobs \(layers: .*engine.*jobs/,
    );
  });

  it('fails every import form: export from, dynamic import(), typeof import(), import type', async () => {
    const code = [
      "export * from '../studio/index.js';",
      "export { runTraining } from '../jobs/index.js';",
      "export const later = () => import('../worker/index.js');",
      "export type Cli = typeof import('../cli/index.js');",
      "import type { TrainJobResult } from '../jobs/index.js';",
      'export type T = TrainJobResult;',
    ].join('\n');
    const messages = await lint('src-main/engine/x.ts', code);
    expect(messages.map((m) => m.ruleId)).toEqual([RULE, RULE, RULE, RULE, RULE]);
  });

  it('keeps the engine core browser-safe: no node: builtin, bare builtin, Node-only package or engine/node', async () => {
    const code = [
      "import { readFileSync } from 'node:fs';",
      "import { join } from 'path';",
      "import sharp from 'sharp';",
      "import { resolveBackend } from './node/index.js';",
      'export const all = [readFileSync, join, sharp, resolveBackend];',
    ].join('\n');
    const messages = await lint('src-main/engine/x.ts', code);
    expect(messages.map((m) => m.ruleId)).toEqual([RULE, RULE, RULE, RULE]);
    expect(messages[0]?.message).toContain(
      'src-main/engine runs in a browser page and may not import node:fs',
    );
    expect(messages[3]?.message).toContain('src-main/engine may not import src-main/engine/node');
  });

  it('lets the Node room use Node and the core, and the core use tfjs, util and the contract', async () => {
    const node = [
      "import { readFileSync } from 'node:fs';",
      "import { registerWasmKernels } from '../kernels/index.js';",
      "import { BackendCache } from '../index.js';",
      'export const all = [readFileSync, registerWasmKernels, BackendCache];',
    ].join('\n');
    expect(await lint('src-main/engine/node/x.ts', node)).toEqual([]);
    const core = [
      "import * as tf from '@tensorflow/tfjs-core';",
      "import { UserError } from '../util/errors.js';",
      "import type { BackendInfo } from '../contract/index.js';",
      'export const all: [typeof tf, typeof UserError, BackendInfo?] = [tf, UserError];',
    ].join('\n');
    expect(await lint('src-main/engine/host/x.ts', core)).toEqual([]);
  });

  it('passes downward imports and the listed siblings, fails the other way round', async () => {
    expect(
      await lint('src-main/jobs/x.ts', "import '../engine/index.js';\nimport '../project/index.js';"),
    ).toEqual([]);
    expect(
      await lint('src-main/electron/x.ts', "import '../studio/index.js';\nimport '../jobs/index.js';"),
    ).toEqual([]);
    expect(await lint('src-main/project/x.ts', "import '../dataset/index.js';")).toEqual([]);
    expect(await lint('src-main/cli/x.ts', "import '../server/index.js';")).toEqual([]);
    expect(
      await lint('src-main/util/x.ts', "import type { ErrorCode } from '../contract/index.js';"),
    ).toEqual([]);
    const wrong = await Promise.all([
      lint('src-main/dataset/x.ts', "import '../project/index.js';"),
      lint('src-main/server/x.ts', "import '../cli/index.js';"),
      lint('src-main/contract/x.ts', "import '../engine/index.js';"),
      lint('src-main/contract/x.ts', "import '../util/errors.js';"),
      lint('src-main/worker/x.ts', "import '../studio/index.js';"),
      lint('src-main/studio/x.ts', "import '../../src-renderer/src/api/contract.js';"),
    ]);
    expect(wrong.map((messages) => messages.map((m) => m.ruleId))).toEqual(Array(6).fill([RULE]));
  });

  it('lets the UI import only the contract of src-main', async () => {
    const studio = await lint('src-renderer/src/api/foo.ts', "import '../../../src-main/studio/index.js';");
    expect(studio).toHaveLength(1);
    expect(studio[0]?.ruleId).toBe(RULE);
    expect(studio[0]?.message).toContain(
      'src-renderer/src may import only its own files and src-main/contract',
    );
    const engine = await lint('src-renderer/src/foo.ts', "import '../../src-main/engine/index.js';");
    expect(engine.map((m) => m.ruleId)).toEqual([RULE]);
    const contract = [
      "export * from '../../../src-main/contract/index.js';",
      "import { encodeMessage } from '../../../src-main/contract/wire.js';",
      "import { helper } from '../lib/helper.js';",
      'export const all = [encodeMessage, helper];',
    ].join('\n');
    expect(await lint('src-renderer/src/api/foo.ts', contract)).toEqual([]);
  });

  it('lets the compute page import the engine core through its doors only', async () => {
    const doors = [
      "import { defaultConfig } from '../../src-main/engine/index.js';",
      "import { serveTraining } from '../../src-main/engine/host/index.js';",
      "import { registerWasmKernels } from '../../src-main/engine/kernels/index.js';",
      "import type { BackendInfo } from '../../src-main/contract/index.js';",
      'export const all: [unknown, unknown, unknown, BackendInfo?] = [defaultConfig, serveTraining, registerWasmKernels];',
    ].join('\n');
    expect(await lint('src-renderer/compute/x.ts', doors)).toEqual([]);
    const deep = await Promise.all([
      lint('src-renderer/compute/x.ts', "import '../../src-main/engine/config.js';"),
      lint('src-renderer/compute/x.ts', "import '../../src-main/engine/node/index.js';"),
      lint('src-renderer/compute/x.ts', "import '../../src-main/util/errors.js';"),
      lint('src-renderer/compute/x.ts', "import 'node:fs';"),
    ]);
    expect(deep.map((messages) => messages.map((m) => m.ruleId))).toEqual(Array(4).fill([RULE]));
  });

  it('is what the real eslint.config.js applies to every room, so `npm run lint` fails a planted import', async () => {
    const real = new ESLint({ cwd: root });
    for (const file of [
      'src-main/engine/x.ts',
      'src-main/engine/node/x.ts',
      'src-main/contract/x.ts',
      'src-main/electron/x.ts',
      'src-renderer/src/foo.ts',
      'src-renderer/compute/x.ts',
    ]) {
      const config = (await real.calculateConfigForFile(join(root, file))) as {
        rules?: Record<string, unknown>;
      };
      expect(config.rules?.[RULE], file).toEqual([2]);
    }
  });
});

describe('the tree as it is', () => {
  it('obeys the layer rule in every .ts file of src-main and src-renderer', async () => {
    const results = await layersOnly.lintFiles(['src-main/**/*.ts', 'src-renderer/**/*.ts']);
    expect(results.length).toBeGreaterThan(100);
    const problems = results.flatMap((r) =>
      r.messages.map((m) => `${relative(root, r.filePath)}: ${m.message}`),
    );
    expect(problems).toEqual([]);
  });

  it('obeys the same table in the script blocks of the .vue files', () => {
    const vueFiles = readdirSync(join(root, 'src-renderer'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.vue'))
      .map((file) => `src-renderer/${file.split(sep).join('/')}`);
    expect(vueFiles.length).toBeGreaterThan(5);
    const problems: string[] = [];
    for (const file of vueFiles) {
      for (const specifier of scriptImports(readFileSync(join(root, file), 'utf8'))) {
        const why = checkImport(file, specifier);
        if (why !== undefined) problems.push(`${file}: ${why}`);
      }
    }
    expect(problems).toEqual([]);
    // The check itself sees a wrong-way import in a component.
    expect(checkImport('src-renderer/src/components/X.vue', '../../../src-main/studio/index.js')).toContain(
      'src-renderer/src may import only',
    );
    expect(
      scriptImports(
        '<script setup lang="ts">\nimport X from \'../../../src-main/jobs/index.js\';\n</script>',
      ),
    ).toEqual(['../../../src-main/jobs/index.js']);
  });
});

/** The specifiers of every `import … from`, `export … from` and `import('…')` in a component's script blocks. */
function scriptImports(source: string): string[] {
  const specifiers: string[] = [];
  for (const [, script = ''] of source.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
    for (const match of script.matchAll(/\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g)) {
      const specifier = match[1] ?? match[2];
      if (specifier !== undefined) specifiers.push(specifier);
    }
  }
  return specifiers;
}
