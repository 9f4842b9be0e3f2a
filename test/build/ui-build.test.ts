// The console's build is React's production build whatever NODE_ENV the building process
// has: an agent started by a test inherits NODE_ENV=test, and built the development JSX
// runtime (jsxDEV, 2.1 times the main-thread time per live update in bench:ui) into the
// dist/renderer that later starts served.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tmpDir } from '../helpers';

describe('the console build', () => {
  it('is the production build under NODE_ENV=test', async () => {
    expect(process.env.NODE_ENV).toBe('test'); // vitest's: what an agent started by a test inherits
    const out = tmpDir('sc-ui-build-');
    const vite = await import('vite');
    try {
      await vite.build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'silent', build: { outDir: out, emptyOutDir: true } });
    } finally {
      process.env.NODE_ENV = 'test';
    }
    const main = fs.readdirSync(path.join(out, 'assets')).find((f) => /^main-.*\.js$/.test(f))!;
    const code = fs.readFileSync(path.join(out, 'assets', main), 'utf8');
    expect(code.length).toBeGreaterThan(100_000);
    expect(code).not.toContain('jsxDEV');
  }, 120_000);
});
