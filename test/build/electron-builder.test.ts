// electron-builder's configuration, validated offline against its own JSON schema
// (building installers needs the Electron download, see README "Packaging").
import Ajv from 'ajv';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers';

const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/app-builder-lib/scheme.json'), 'utf8'));
const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'build/electron-builder.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

describe('electron-builder configuration', () => {
  it('is valid against electron-builder’s schema', () => {
    const ok = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
  it('the schema check would catch a mistake', () => {
    expect(validate({ ...config, win: { target: 42 } })).toBe(false);
    expect(validate({ ...config, electronFuses: { runAsNodee: false } })).toBe(false);
  });
  it('builds the installers the issue names', () => {
    const targets = (t: unknown[]) => t.map((x) => (typeof x === 'string' ? x : (x as { target: string }).target));
    expect(targets(config.win.target)).toEqual(expect.arrayContaining(['nsis', 'portable']));
    expect(targets(config.linux.target)).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(targets(config.mac.target)).toEqual(expect.arrayContaining(['dmg']));
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
    expect(fs.existsSync(path.join(ROOT, config.win.icon))).toBe(true);
  });
  it('sets the security fuses of the checklist', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
  });
  it('ships what the app loads at run time', () => {
    expect(config.files).toEqual(expect.arrayContaining(['dist/**/*', 'package.json']));
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['dist/electron/workloads/**']));
    expect(config.extraMetadata.main).toBe('dist/electron/main.js');
  });
});
