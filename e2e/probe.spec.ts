// The sales engineer's story: pick the customer's app, start the capacity probe,
// watch the load climb against the instance count, read the answer, export the
// report, compare two runs, show it in Chinese.
import fs from 'node:fs';
import type { Download, Page } from '@playwright/test';
import { CPU_LOAD, expect, shot, test } from './fixtures';

// The VM these run on is shared: another engineer's build during the idle baseline puts the
// server "over its CPU threshold with no stream running" (a correct answer, not this story).
test.describe.configure({ retries: 2 });

async function snap(page: Page, name: string) {
  const file = await shot(page, name);
  await test.info().attach(name, { path: file, contentType: 'image/png' });
}

async function read(download: Download): Promise<string> {
  const file = await download.path();
  return fs.readFileSync(file, 'utf8');
}

/** Machine CPU % over a second, from /proc/stat. */
async function machineCpu(): Promise<number> {
  const read = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3]! + f[4]!, total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  await new Promise((r) => setTimeout(r, 1000)); // a measurement window of the machine, not a wait for something
  const b = read();
  return 100 * (1 - (b.idle - a.idle) / Math.max(1, b.total - a.total));
}

/** The VM is shared: wait (up to a minute) for other work to calm down before measuring. */
async function quiet(limit = 35) {
  for (let k = 0; k < 60 && (await machineCpu()) > limit; k++);
}

async function setProbe(page: Page, fields: Record<string, string>) {
  for (const [id, value] of Object.entries(fields)) await page.getByTestId(id).fill(value);
}

test('start a probe from the view: the live chart fills in, the result is shown, exported, compared', async ({ console: { page, agent } }) => {
  test.setTimeout(240_000);
  // The customer's app, stood in for by a steady CPU load.
  await agent.call('profiles.save', { id: 'showroom', name: 'Showroom (UE5)', exe: process.execPath, args: [CPU_LOAD, '--load', '20', '--name', 'stream{n}'], staggerSec: 0 });
  await page.reload();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'open');

  await page.getByTestId('nav-probe').click();
  await expect(page.getByTestId('probe-view')).toBeVisible();
  await expect(page.getByTestId('probe-empty')).toBeVisible();
  await page.getByTestId('probe-profile').selectOption('showroom');
  // Bad input says what is wrong and keeps Start disabled.
  await page.getByTestId('probe-thr-cpu').fill('120');
  await expect(page.getByTestId('probe-start')).toBeDisabled();
  await expect(page.getByTestId('probe-thr-cpu-error')).toContainText('Between 1 and 100.');
  // CPU on the app's own processes (this VM is shared), a low threshold so a limit is found in a few steps.
  await setProbe(page, { 'probe-thr-cpu': '45', 'probe-warmup': '1', 'probe-settle': '2', 'probe-max': '8' });
  await page.getByTestId('probe-basis').selectOption('app');
  await page.getByTestId('probe-ramp-smart').click();
  await quiet();
  await page.getByTestId('probe-start').click();

  // Live: progress, the step counter, and a chart that fills in as readings come.
  await expect(page.getByTestId('probe-progress')).toBeVisible();
  await expect(page.getByTestId('probe-cancel')).toBeVisible();
  const chart = page.getByTestId('probe-chart');
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(6);
  await expect.poll(async () => Number(await chart.getAttribute('data-steps')), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('probe-step')).toContainText(/Step \d+ · at most 8 instances/);
  await expect(page.getByTestId('probe-meters')).toContainText('CPU');
  await expect(chart.locator('svg circle').first()).toBeVisible();
  await snap(page, 'probe-running');

  // The answer, big, in one sentence.
  const result = page.getByTestId('probe-result');
  await expect(result).toBeVisible({ timeout: 120_000 });
  await expect(result).toHaveAttribute('data-state', 'done');
  const capacity = Number(await result.getAttribute('data-capacity'));
  const limitedBy = await result.getAttribute('data-limited-by');
  expect(capacity).toBeGreaterThanOrEqual(0);
  expect(['cpu', 'maxInstances']).toContain(limitedBy);
  const sentence = await page.getByTestId('probe-sentence').innerText();
  expect(sentence).toMatch(limitedBy === 'cpu' ? /This server (runs \d+ concurrent streams? of Showroom \(UE5\); CPU limits at \d+|cannot run one stream)/ : /runs at least 8 concurrent streams/);
  await expect(page.getByTestId('probe-capacity')).toContainText(String(capacity));
  await expect(page.getByTestId('probe-steps')).toBeVisible();
  await expect(page.getByTestId('probe-cancel')).toHaveCount(0);
  await expect(result).toContainText('GPU, GPU memory, Encoder, Encoder sessions not measured');
  await expect(page.getByTestId('probe-view')).not.toContainText(/NaN|undefined|Infinity/);
  await snap(page, 'probe-result');

  // Nothing the probe started is left running.
  await expect.poll(async () => (await agent.call<{ state: string }[]>('instances.list')).filter((i) => i.state === 'running').length).toBe(0);

  // History and exports: the browser downloads what the agent built.
  const row = page.getByTestId('probe-history-row').first();
  await expect(row).toContainText('Showroom (UE5)');
  const [html] = await Promise.all([page.waitForEvent('download'), row.getByTestId('probe-export-html').click()]);
  expect(html.suggestedFilename()).toMatch(/^streamcap-probe-\d{8}-\d{6}-[a-z0-9]{4}\.html$/);
  const report = await read(html);
  expect(report).toContain(sentence.replace(/&/g, '&amp;'));
  expect(report).toContain('<svg');
  const [csv] = await Promise.all([page.waitForEvent('download'), row.getByTestId('probe-export-csv').click()]);
  expect((await read(csv)).split('\r\n')[0]).toMatch(/^step,instances,move,verdict/);

  // A second run, one by one, to compare with.
  await setProbe(page, { 'probe-max': '2', 'probe-thr-cpu': '80' });
  await page.getByTestId('probe-ramp-linear').click();
  await page.getByTestId('probe-start').click();
  await expect(page.getByTestId('probe-progress')).toBeVisible();
  await expect(result).toHaveAttribute('data-limited-by', 'maxInstances', { timeout: 90_000 });
  await expect(page.getByTestId('probe-history-row')).toHaveCount(2);
  await page.getByTestId('probe-pick').nth(0).check();
  await page.getByTestId('probe-pick').nth(1).check();
  const compare = page.getByTestId('probe-compare');
  await expect(compare).toBeVisible();
  await expect(compare).toContainText('runs at least 2 concurrent streams');
  await expect(compare.getByTestId('probe-chart')).toHaveCount(2);
  const [cmp] = await Promise.all([page.waitForEvent('download'), page.getByTestId('probe-compare-report').click()]);
  expect(cmp.suggestedFilename()).toMatch(/^streamcap-compare-.*-vs-.*\.html$/);
  await compare.scrollIntoViewIfNeeded();
  await snap(page, 'probe-compare');

  // Show the first run again, then in Chinese.
  await page.getByTestId('probe-show').nth(1).click();
  await expect(page.getByTestId('probe-back')).toBeVisible();
  await expect(page.getByTestId('probe-result')).toHaveAttribute('data-capacity', String(capacity));
  await page.getByTestId('lang').selectOption('zh-CN');
  await expect(page.getByTestId('nav-probe')).toHaveText('容量测试');
  await expect(page.getByTestId('probe-sentence')).toContainText(limitedBy === 'cpu' ? '本服务器' : '至少');
  await page.evaluate('window.scrollTo(0, 0)');
  await snap(page, 'probe-zh-CN');
  await page.getByTestId('lang').selectOption('en');
});

test('cancel from the view stops the probe and everything it started', async ({ console: { page, agent } }) => {
  await agent.call('profiles.save', { id: 'cancel-me', name: 'Cancel me', exe: process.execPath, args: [CPU_LOAD, '--load', '3'], staggerSec: 0 });
  await page.reload();
  await page.getByTestId('nav-probe').click();
  await page.getByTestId('probe-profile').selectOption('cancel-me');
  await setProbe(page, { 'probe-thr-cpu': '100', 'probe-warmup': '5', 'probe-settle': '2', 'probe-max': '8' });
  await page.getByTestId('probe-basis').selectOption('app');
  await page.getByTestId('probe-start').click();
  await expect(page.getByTestId('probe-progress')).toHaveAttribute('data-phase', 'warmup', { timeout: 30_000 });
  await expect.poll(async () => (await agent.call<{ state: string }[]>('instances.list')).filter((i) => i.state === 'running').length).toBeGreaterThan(0);
  await page.getByTestId('probe-cancel').click();
  await expect(page.getByTestId('probe-result')).toHaveAttribute('data-state', 'cancelled');
  await expect(page.getByTestId('probe-sentence')).toHaveCount(0);
  await expect(page.getByTestId('probe-result')).toContainText('cancelled');
  expect((await agent.call<{ state: string }[]>('instances.list')).filter((i) => i.state === 'running')).toHaveLength(0);
});
