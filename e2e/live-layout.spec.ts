// A live sample lays out its own figures, not the page: every figure that changes with a
// sample is a relayout boundary (styles.css, .fig). A figure left outside such a box makes
// the whole document the layout root again, each second (bench:ui: 2.5-3 ms of an update's
// 10 then, 1.2 ms with the boxes).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { CPU_LOAD, expect, test } from './fixtures';

test('a live sample lays out its figures only, never the whole document', async ({ console: { page, agent }, browser }) => {
  await agent.call('profiles.save', { id: 'load', name: 'Load', exe: process.execPath, args: [CPU_LOAD, '--load', '5'], staggerSec: 0 });
  await page.getByTestId('nav-instances').click();
  await page.getByTestId('launch-profile').selectOption('load');
  await page.getByTestId('launch-count').fill('3');
  await page.getByTestId('launch-button').click();
  for (const n of [1, 2, 3]) await expect(page.getByTestId(`state-${n}`)).toHaveAttribute('data-state', 'running');
  await expect.poll(async () => Number((await page.getByTestId('cpu-3').innerText()).split('\n')[0])).toBeGreaterThan(0);
  await expect(page.locator('.toast')).toHaveCount(0, { timeout: 15_000 }); // "Launched 3": its leaving lays out the page, once
  await page.waitForTimeout(1000); // past the first readings (their "—" becomes a figure once)

  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sc-trace-')), 'trace.json');
  expect(browser.browserType()).toBe(chromium);
  await browser.startTracing(page, { path: file, categories: ['devtools.timeline'] });
  await page.waitForTimeout(3000); // six samples at the fixture's 500 ms
  await browser.stopTracing();
  type Ev = { name: string; ph: string; args?: { endData?: { layoutRoots?: { nodeName: string }[] } } };
  const layouts = (JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: Ev[] }).traceEvents.filter((e) => e.name === 'Layout' && e.ph === 'X');
  const roots = layouts.map((e) => (e.args?.endData?.layoutRoots ?? []).map((r) => r.nodeName));
  expect(roots.length, 'layouts while samples arrived').toBeGreaterThanOrEqual(4);
  expect(
    roots.filter((r) => r.includes('#document')),
    JSON.stringify(roots),
  ).toEqual([]);
});
