// The admin's story in the web console: create a profile, launch 3, watch the
// charts move, stop one, crash one, switch to Chinese.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CPU_LOAD, expect, shot, test } from './fixtures';

test('create a profile, launch 3, watch, stop one, crash one, switch to zh-CN', async ({ console: { page, agent } }) => {
  const crashDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-crash-'));

  // Create a profile through the editor.
  await page.getByTestId('nav-profiles').click();
  await page.getByTestId('new-profile').click();
  await page.getByTestId('pf-name').fill('Showroom stand-in');
  await page.getByTestId('pf-exe').fill(process.execPath);
  await page.getByTestId('pf-args').fill([CPU_LOAD, '--load', '20', '--name', 'stream{n}', '--crash-file', path.join(crashDir, 'crash-{n}')].join('\n'));
  await page.getByTestId('pf-stagger').fill('0.5');
  await expect(page.getByTestId('preview-2')).toContainText('stream2');
  await shot(page, '01-profile-editor');
  await page.getByTestId('pf-save').click();
  await expect(page.getByTestId('profile-showroom-stand-in')).toBeVisible();
  const saved = await agent.call<{ id: string; args: string[] }[]>('profiles.list');
  expect(saved.find((p) => p.id === 'showroom-stand-in')?.args).toContain('stream{n}');

  // Launch 3.
  await page.getByTestId('nav-instances').click();
  await page.getByTestId('launch-profile').selectOption('showroom-stand-in');
  await page.getByTestId('launch-count').fill('3');
  await page.getByTestId('launch-button').click();
  for (const n of [1, 2, 3]) await expect(page.getByTestId(`state-${n}`)).toHaveAttribute('data-state', 'running');

  // The charts move: the system chart gains points and instance CPU shows real numbers.
  const chart = page.getByTestId('chart-system-cpu');
  const pointsBefore = Number(await chart.getAttribute('data-points'));
  await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThan(pointsBefore + 2);
  await expect.poll(async () => Number((await page.getByTestId('cpu-1').innerText()).split('\n')[0])).toBeGreaterThan(3);
  await page.getByTestId('details-1').click();
  await expect(page.getByTestId('instance-log')).toContainText('stream1: started');
  await expect(page.getByTestId('instance-gpu-not-measured')).toContainText('GPU not measured');
  await expect.poll(async () => Number(await page.getByTestId('chart-instance-cpu').getAttribute('data-points'))).toBeGreaterThan(3);
  // Axis labels are plain figures, even on an idle link (not 1e-11).
  // The canvas draws the y labels it lists in data-ticks.
  for (const id of ['chart-system-net', 'chart-instance-cpu']) {
    const ticks = (await page.getByTestId(id).getAttribute('data-ticks')) ?? '';
    const labels = ticks.split(' ');
    expect(labels.length).toBeGreaterThanOrEqual(5);
    expect(labels.length).toBeLessThanOrEqual(6);
    expect(ticks).not.toMatch(/\de[-+]\d/);
    // Round steps: every label is the same whole multiple of the first step.
    const step = Number(labels[1]);
    labels.forEach((l, k) => expect(Number(l)).toBeCloseTo(k * step, 9));
  }
  await shot(page, '02-three-running');

  // Stop one.
  await page.getByTestId('stop-2').click();
  await expect(page.getByTestId('state-2')).toHaveAttribute('data-state', 'stopped');

  // Crash one: the instance exits with code 42 and says so.
  fs.writeFileSync(path.join(crashDir, 'crash-3'), '');
  await expect(page.getByTestId('state-3')).toHaveAttribute('data-state', 'crashed');
  await expect(page.getByTestId('instance-row-3')).toContainText('exit code 42');
  await expect(page.getByTestId('state-1')).toHaveAttribute('data-state', 'running');
  await shot(page, '03-stopped-and-crashed');

  // Switch to Chinese; the choice sticks across a reload.
  await page.getByTestId('lang').selectOption('zh-CN');
  await expect(page.getByTestId('nav-instances')).toHaveText('实例');
  await expect(page.getByTestId('state-3')).toHaveText('已崩溃');
  await expect(page.getByTestId('state-1')).toHaveText('运行中');
  await shot(page, '04-zh-CN');
  await page.reload();
  await expect(page.getByTestId('nav-profiles')).toHaveText('应用配置');

  await agent.call('instances.stopAll');
});

test('a bad profile is refused at the field, and nothing is saved', async ({ console: { page, agent } }) => {
  const before = await agent.call<unknown[]>('profiles.list');
  await page.getByTestId('nav-profiles').click();
  await page.getByTestId('new-profile').click();
  await page.getByTestId('pf-name').fill('Broken');
  await page.getByTestId('pf-exe').fill('/opt/game/Game.exe');
  await page.getByTestId('pf-args').fill('-port={8888+x}');
  await expect(page.getByTestId('preview-1')).toContainText('Unknown placeholder "x"');
  await page.getByTestId('pf-save').click();
  await expect(page.locator('.field.invalid')).toContainText('Unknown placeholder "x"');
  await shot(page, '05-profile-error');
  expect(await agent.call<unknown[]>('profiles.list')).toEqual(before);
});

test('a missing executable is reported on the instance, with what to do', async ({ console: { page, agent } }) => {
  await agent.call('profiles.save', { id: 'missing', name: 'Missing app', exe: '/opt/nowhere/Game.exe', args: [], staggerSec: 0 });
  await page.reload();
  await page.getByTestId('launch-profile').selectOption('missing');
  await page.getByTestId('launch-count').fill('1');
  await page.getByTestId('launch-button').click();
  await expect(page.getByTestId('state-1')).toHaveAttribute('data-state', 'failed');
  await expect(page.getByTestId('instance-row-1')).toContainText('Executable not found: /opt/nowhere/Game.exe');
  await agent.call('instances.clearExited');
});

test('without a token the console asks for one', async ({ page, agent }) => {
  await page.goto(agent.base + '/');
  await expect(page.getByRole('heading', { name: 'Access token needed' })).toBeVisible();
  await page.getByPlaceholder('API token').fill(agent.token);
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'open');
});
