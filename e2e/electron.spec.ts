// The Electron window, end to end, wherever an Electron binary exists. Where it
// does not (offline installs, these CI machines), the test is skipped and says why.
import { _electron as electron, expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, shot } from './fixtures';

function electronBinary(): { path: string | null; reason: string } {
  try {
    const p = createRequire(import.meta.url)('electron') as unknown as string;
    if (typeof p === 'string' && fs.existsSync(p)) return { path: p, reason: '' };
    return { path: null, reason: `the electron package points at ${String(p)}, which does not exist` };
  } catch (e) {
    return { path: null, reason: `no Electron binary (${(e as Error).message.split('\n')[0]}); install it with internet access: node node_modules/electron/install.js` };
  }
}

const bin = electronBinary();
if (!bin.path) console.log(`SKIP Electron window e2e: ${bin.reason}`);

test.describe('Electron window', () => {
  test.skip(!bin.path, `Electron binary missing: ${bin.reason}`);

  test('opens the console, isolated from Node, and shows live data', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-electron-'));
    const app = await electron.launch({ executablePath: bin.path!, args: [ROOT], env: { ...process.env, STREAMCAP_HOME: home } });
    const win = await app.firstWindow();
    await expect(win.getByTestId('connection')).toHaveAttribute('data-state', 'open');
    // The checklist: no Node in the renderer.
    expect(await win.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process])).toEqual(['undefined', 'undefined']);
    await win.getByTestId('launch-count').fill('1');
    await win.getByTestId('launch-button').click();
    await expect(win.getByTestId('state-1')).toHaveAttribute('data-state', 'running');
    await shot(win, 'electron-window');
    await app.close();
  });
});
