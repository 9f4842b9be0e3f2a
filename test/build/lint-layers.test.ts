// The layer rule of eslint.config.js, run through ESLint's own API on imports that
// break it (and on ones that keep it): each break must be an error naming the rule.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers';

const eslint = new ESLint({ cwd: ROOT });

async function layerErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import '${source}';\n`, { filePath: path.join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'import/no-restricted-paths').map((m) => m.message);
}

describe('the layers, as the linter keeps them', () => {
  it.each([
    ['shared/layer-break.ts', '../electron/core/core', /shared\/ is used by the core and the renderer alike/],
    ['shared/wire/layer-break.ts', '../../renderer/src/store', /shared\//],
    ['electron/core/layer-break.ts', '../server/api', /The core imports shared\/ only/],
    ['electron/core/layer-break.ts', '../cli/main', /The core imports shared\/ only/],
    ['electron/server/layer-break.ts', '../main/ipc', /never a door/],
    ['electron/main/layer-break.ts', '../cli/launch', /never another door/],
    ['electron/cli/layer-break.ts', '../main/ipc', /never another door/],
    ['renderer/src/layer-break.ts', '../../electron/core/core', /The renderer talks to the core through its transport only/],
    ['electron/core/layer-break.ts', '../../test/helpers', /The core imports shared\/ only/],
  ])(
    '%s importing %s fails the lint',
    async (file, source, message) => {
      const errors = await layerErrors(file, source);
      expect(errors).toEqual([expect.stringMatching(message)]);
    },
    60_000,
  );

  it.each([
    ['electron/core/layer-keep.ts', '../../shared/contract'],
    ['electron/cli/layer-keep.ts', '../server/api'],
    ['electron/main/layer-keep.ts', '../core/core'],
    ['renderer/src/layer-keep.ts', '../../shared/wire/agent'],
    ['test/layer-keep.ts', '../electron/core/core'],
  ])(
    '%s importing %s passes',
    async (file, source) => {
      expect(await layerErrors(file, source)).toEqual([]);
    },
    60_000,
  );
});
