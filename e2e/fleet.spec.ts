// The fleet in the console: three real agents and a front door (an agent run with
// --fleet), the Fleet view showing them live; one agent stopped mid-test is shown
// offline within 5 s with its figures gone; a server's console opens in place.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { collectConsoleErrors, openConsole, shot, startAgent, stopAgent, type AgentHandle } from './fixtures';

let members: AgentHandle[] = [];
let door: AgentHandle;

test.beforeAll(async () => {
  members = await Promise.all([0, 1, 2].map(() => startAgent()));
  for (const m of members) await m.call('admission.set', { seatsFrom: 'manual', seats: 4, spectatorsPerInstance: 0, heartbeatTimeoutSec: 600 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-e2e-fleet-'));
  const file = path.join(dir, 'fleet.json');
  fs.writeFileSync(file, JSON.stringify({ servers: members.map((m, i) => ({ name: `render-0${i + 1}`, url: m.base, token: m.token })) }), { mode: 0o600 });
  door = await startAgent({}, ['--fleet', file]);
});

test.afterAll(async () => {
  await Promise.all([door, ...members].filter(Boolean).map(stopAgent));
});

test('three servers in the Fleet view; one stopped is shown offline within 5 s; a server console opens in place', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await openConsole(page, door);
  await page.getByTestId('nav-fleet').click();
  const rows = page.getByTestId('fleet-row');
  await expect(rows).toHaveCount(3);
  for (let i = 1; i <= 3; i++) await expect(page.locator(`[data-testid=fleet-row][data-name=render-0${i}]`)).toHaveAttribute('data-state', 'online');

  // Six people through the front door's waiting room: placed on the servers, shown per row.
  for (let i = 0; i < 6; i++) {
    const r = await fetch(`${door.base}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `Guest ${i + 1}`, want: 'operate' }) });
    expect(r.status).toBe(201);
    const joined: { server: string | null } = JSON.parse(await r.text());
    expect(joined.server).toMatch(/^render-0[123]$/);
  }
  await expect(page.getByTestId('fleet-front-door')).toContainText('6 placed');
  // A person through the waiting room page: told which server they are on, with its stream.
  const wait = await page.context().newPage();
  await wait.goto(`${door.base}/wait?name=Visitor&want=operate&auto=1`);
  await expect(wait.getByTestId('wait-server')).toContainText(/render-0[123]/);
  await shot(wait, 'fleet-05-waiting-room-placed');
  await wait.close();
  await expect.poll(async () => (await page.getByTestId('fleet-stress').allInnerTexts()).filter((s) => /^\d+\.\d\d$/.test(s)).length).toBe(3);
  // Sorting by stress and filtering by name.
  await page.getByTestId('fleet-sort-stress').click();
  await page.getByTestId('fleet-filter').fill('render-02');
  await expect(rows).toHaveCount(1);
  await page.getByTestId('fleet-filter').fill('');
  await expect(rows).toHaveCount(3);
  await shot(page, 'fleet-01-three-online');

  // render-02 stops mid-test: offline within 5 s, its figures dropped.
  const victim = page.locator('[data-testid=fleet-row][data-name=render-02]');
  const t0 = Date.now();
  members[1]!.process.kill('SIGKILL');
  await expect(victim).toHaveAttribute('data-state', 'offline', { timeout: 5000 });
  const took = Date.now() - t0;
  console.log(`render-02 shown offline ${took} ms after it was killed`);
  expect(took).toBeLessThanOrEqual(5000);
  await expect(victim.getByTestId('fleet-seats')).toHaveText('—');
  await expect(victim.getByTestId('fleet-stress')).toHaveText('—');
  await page.getByTestId('fleet-state-filter').selectOption('offline');
  await expect(rows).toHaveCount(1);
  await page.getByTestId('fleet-state-filter').selectOption('all');
  await shot(page, 'fleet-02-one-offline');

  // Chinese.
  await page.getByTestId('lang').selectOption('zh-CN');
  await expect(victim.getByTestId('fleet-state')).toHaveText('离线');
  await shot(page, 'fleet-03-zh-CN');
  await page.getByTestId('lang').selectOption('en');

  // render-01's console in place, relayed by the front door.
  await page.locator('[data-testid=fleet-row][data-name=render-01]').getByTestId('fleet-open').click();
  await expect(page.getByTestId('member-banner')).toContainText('render-01');
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'open');
  await page.getByTestId('nav-sessions').click();
  // Its own seats: 4 manual seats, with the front door's people on them.
  await expect(page.getByText('Guest', { exact: false }).first()).toBeVisible();
  await shot(page, 'fleet-04-member-console');
  await page.getByTestId('member-back').click();
  await expect(page.getByTestId('member-banner')).toHaveCount(0);
  expect(errors, 'console errors').toEqual([]);
});
