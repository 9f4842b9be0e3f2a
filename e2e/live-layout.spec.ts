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

// Figures out of view are not written (live.tsx): a row scrolled out waits, and catches up
// as soon as it is scrolled back into view.
test('a row or a detail out of view waits for its figures, and catches up when it is scrolled into view', async ({ console: { page, agent } }) => {
  await agent.call('profiles.save', { id: 'idle', name: 'Idle', exe: process.execPath, args: ['-e', 'setTimeout(Date.now, 600000)'], staggerSec: 0 });
  await page.setViewportSize({ width: 1400, height: 700 });
  await page.getByTestId('nav-instances').click();
  await page.getByTestId('launch-profile').selectOption('idle');
  await page.getByTestId('launch-count').fill('10');
  await page.getByTestId('launch-button').click();
  for (let n = 1; n <= 10; n++) await expect(page.getByTestId(`state-${n}`)).toHaveAttribute('data-state', 'running');
  await page.evaluate('window.scrollTo(0, 0)');
  const uptime = (n: number) => page.getByTestId(`uptime-${n}`).innerText();
  const viewport = page.viewportSize()!.height;
  const inView = async (n: number) => (await page.getByTestId(`instance-row-${n}`).boundingBox())!.y < viewport;
  expect(await inView(1), 'row 1 in view').toBe(true);
  expect(await inView(10), 'row 10 out of view').toBe(false);
  // The uptime changes every second: in view it moves on, out of view it stays.
  await expect.poll(() => uptime(1)).not.toBe('—');
  const [first1, first10] = [await uptime(1), await uptime(10)];
  await expect.poll(() => uptime(1), { timeout: 5000 }).not.toBe(first1);
  await page.waitForTimeout(1500);
  expect(await uptime(10), 'an out-of-view row is not written').toBe(first10);
  // Scrolled into view, it is written in the frame after, not at the next sample (500 ms on).
  const after = await page.getByTestId('uptime-10').evaluate(async (el) => {
    const frame = () => new Promise((r) => (globalThis as unknown as { requestAnimationFrame(f: () => void): void }).requestAnimationFrame(() => r(null)));
    el.scrollIntoView({ block: 'center' });
    for (let k = 0; k < 3; k++) await frame();
    return el.textContent;
  });
  expect(after, 'written as it came into view').not.toBe(first10);
  // Caught up: the same uptime as a row that was in view all along (the same start, give or take a second).
  const secs = (s: string) => s.split(':').reduce((a, b) => a * 60 + Number(b), 0);
  await page.getByTestId('instance-row-1').scrollIntoViewIfNeeded();
  await expect.poll(async () => Math.abs(secs(await uptime(10)) - secs(await uptime(1))), { timeout: 2000 }).toBeLessThanOrEqual(2);

  // An instance's detail out of view: its charts hold still, and move on when it is scrolled to.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.getByTestId('details-1').click();
  await page.evaluate('window.scrollTo(0, 0)');
  const chart = page.getByTestId('chart-instance-cpu');
  expect((await chart.boundingBox())!.y, 'the detail out of view').toBeGreaterThan(viewport + 100);
  const points = () => chart.getAttribute('data-points');
  const held = await points();
  await page.waitForTimeout(1500);
  expect(await points(), 'charts out of view hold still').toBe(held);
  await chart.scrollIntoViewIfNeeded();
  await expect.poll(points, { timeout: 2000 }).not.toBe(held);
});
