// The Sessions view: real people join through the public sessions API, the admin
// watches seats and queue in the console and changes them there; every change is
// checked against the core's own snapshot (admission.get).
import type { Page } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdmissionSnapshot, SessionView } from '../shared/admission-rules';
import { clearAdmission, CPU_LOAD, expect, shot as fullShot, test, type AgentHandle } from './fixtures';

/** A full-page screenshot from the top (a scrolled page would draw the sticky header mid-page). */
async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await fullShot(page, name);
}

/** People who joined for real, kept alive with a GET every few seconds (the heartbeat). */
class People {
  private ids = new Map<string, string>();
  private timer: NodeJS.Timeout;
  constructor(private readonly agent: AgentHandle) {
    this.timer = setInterval(() => {
      for (const id of this.ids.values()) void fetch(`${agent.base}/api/v1/sessions/${id}`).catch(() => {});
    }, 4000);
  }
  async join(name: string, want: 'operate' | 'watch' | 'any' = 'operate'): Promise<SessionView> {
    const r = await fetch(this.agent.base + '/api/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, want }),
    });
    expect(r.status).toBe(201);
    const v = (await r.json()) as SessionView;
    this.ids.set(name, v.id);
    return v;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

async function reset(agent: AgentHandle): Promise<void> {
  await agent.call('admission.set', {
    seatsFrom: 'manual',
    seats: 3,
    spectatorsPerInstance: 2,
    policy: 'capped',
    bitrateMbps: 8,
    uplinkMbps: 64,
    paused: false,
    heartbeatTimeoutSec: 30,
    linkTemplate: '',
    wilburUrl: '',
  });
  await agent.call('admission.simulate', { running: false });
  // Whoever an earlier test left behind goes.
  await clearAdmission(agent);
}

const snapshot = (agent: AgentHandle) => agent.call<AdmissionSnapshot>('admission.get');
const queueNames = async (agent: AgentHandle) => (await snapshot(agent)).queue.map((q) => q.name);
const uiQueue = (page: Page) => page.getByTestId('queue-row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-position')}:${r.getAttribute('data-name')}`));

async function openSessions(page: Page): Promise<void> {
  // Alt+5 is the view's key.
  await page.locator('body').press('Alt+5');
  await expect(page.getByTestId('sessions-view')).toBeVisible();
  await expect(page.getByTestId('nav-sessions')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('sess-seats')).toBeVisible();
}

test('seats show their operators, the waiting list its order; let in, move and kick reorder it', async ({ console: { page, agent } }) => {
  await reset(agent);
  const people = new People(agent);
  try {
    await openSessions(page);
    await expect(page.getByTestId('queue-empty')).toHaveText('Nobody is waiting.');
    await expect(page.getByTestId('sess-wait-url')).toHaveText(`${agent.base}/wait`);
    for (const name of ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank']) await people.join(name);

    // Three seats, three operators; the rest wait in arrival order.
    for (const [n, name] of [
      [1, 'Alice'],
      [2, 'Bob'],
      [3, 'Carol'],
    ] as const) {
      await expect(page.getByTestId(`seat-${n}`)).toHaveAttribute('data-operator', name);
      await expect(page.getByTestId(`seat-${n}-operator`)).toContainText(name);
      await expect(page.getByTestId(`seat-${n}-operator`)).toContainText(/\d\d:\d\d/);
    }
    await expect.poll(() => uiQueue(page)).toEqual(['1:Dave', '2:Erin', '3:Frank']);
    await expect(page.getByTestId('queue-count')).toHaveText('3 waiting');
    await expect(page.getByTestId('sess-streams')).toContainText('3');

    // Let Frank in: no place is free, so he goes to the front.
    await page.getByRole('button', { name: 'Let Frank in' }).click();
    await expect.poll(() => queueNames(agent)).toEqual(['Frank', 'Dave', 'Erin']);
    await expect.poll(() => uiQueue(page)).toEqual(['1:Frank', '2:Dave', '3:Erin']);

    // Move Dave down with the keyboard, then up again with the mouse.
    await page.getByRole('button', { name: 'Move Dave down' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => queueNames(agent)).toEqual(['Frank', 'Erin', 'Dave']);
    await expect.poll(() => uiQueue(page)).toEqual(['1:Frank', '2:Erin', '3:Dave']);
    await expect(page.getByRole('button', { name: 'Move Dave down' })).toBeDisabled();
    await page.getByRole('button', { name: 'Move Dave up' }).click();
    await expect.poll(() => queueNames(agent)).toEqual(['Frank', 'Dave', 'Erin']);

    // Kick Erin out, from the keyboard.
    await page.getByRole('button', { name: 'Kick Erin out' }).focus();
    await page.keyboard.press('Space');
    await expect.poll(() => queueNames(agent)).toEqual(['Frank', 'Dave']);
    await expect(page.getByTestId('stat-kicked')).toHaveText('1');

    // Kick an operator: the first in line takes the seat.
    await page.getByRole('button', { name: 'Kick Alice out' }).click();
    await expect(page.getByTestId('seat-1')).toHaveAttribute('data-operator', 'Frank');
    await expect.poll(() => queueNames(agent)).toEqual(['Dave']);
    await expect.poll(() => uiQueue(page)).toEqual(['1:Dave']);
    await expect(page.getByTestId('stat-kicked')).toHaveText('2');
    await expect(page.getByTestId('stat-joined')).toHaveText('6');
    await shot(page, 'sessions-01-queue');
  } finally {
    people.stop();
  }
});

test('pause: newcomers wait though seats are free; resume lets them in', async ({ console: { page, agent } }) => {
  await reset(agent);
  const people = new People(agent);
  try {
    await openSessions(page);
    await people.join('Alice');
    await expect(page.getByTestId('seat-1')).toHaveAttribute('data-operator', 'Alice');

    await page.getByTestId('sess-pause').click();
    await expect(page.getByTestId('sess-pause')).toHaveAttribute('data-paused', 'true');
    await expect(page.getByTestId('sess-pause')).toHaveText(/Resume admission/);
    await expect(page.getByTestId('sess-paused-banner')).toContainText('Admission is paused');
    await expect(page.getByTestId('sess-state')).toHaveText('Paused');
    expect((await snapshot(agent)).config.paused).toBe(true);

    await people.join('Bob');
    await people.join('Cleo', 'watch');
    await expect.poll(() => uiQueue(page)).toEqual(['1:Bob', '2:Cleo']);
    await expect(page.getByTestId('seat-2-free')).toBeVisible();
    await expect(page.getByTestId('seat-1').getByTestId('spectator')).toHaveCount(0);
    await shot(page, 'sessions-02-paused');

    await page.getByTestId('sess-pause').click();
    await expect(page.getByTestId('sess-pause')).toHaveAttribute('data-paused', 'false');
    await expect(page.getByTestId('seat-2')).toHaveAttribute('data-operator', 'Bob');
    await expect(page.getByTestId('seat-1').getByTestId('spectator')).toContainText('Cleo');
    await expect(page.getByTestId('queue-empty')).toBeVisible();
    await expect(page.getByTestId('sess-paused-banner')).toHaveCount(0);
  } finally {
    people.stop();
  }
});

test('policy open past the uplink warns that streams stutter; capped makes people wait; bad settings are refused at the field', async ({ console: { page, agent } }) => {
  await reset(agent);
  const people = new People(agent);
  try {
    await openSessions(page);
    for (const name of ['Ann', 'Ben', 'Cat']) await people.join(name);
    await expect(page.getByTestId('seat-3')).toHaveAttribute('data-operator', 'Cat');
    await expect(page.getByTestId('sess-cap-note')).toContainText('Capped at 8 streams: 5 more fit');

    // Open, with an uplink for two streams: three are let in, and the panel says what happens.
    await page.getByTestId('sess-policy-open').check();
    await page.getByTestId('sess-uplink-input').fill('16');
    await expect(page.getByTestId('sess-dirty')).toHaveText('2 unsaved changes');
    await page.getByTestId('sess-uplink-input').press('Control+Enter');
    await expect(page.getByTestId('sess-stutter')).toContainText('Streams will stutter: 24 Mbps needed, uplink carries 16 Mbps');
    await expect(page.getByTestId('sess-bandwidth')).toHaveAttribute('data-tone', 'bad');
    const open = await snapshot(agent);
    expect(open.config.policy).toBe('open');
    expect(open.config.uplinkMbps).toBe(16);
    expect(open.bandwidth.overUplink).toBe(true);
    await expect(page.getByTestId('sess-dirty')).toHaveCount(0);
    await shot(page, 'sessions-03-stutter');

    // Capped: the newest operator goes back to the front of the queue.
    await page.getByTestId('sess-policy-capped').check();
    await page.getByTestId('sess-apply').click();
    await expect(page.getByTestId('sess-cap-note')).toContainText('Cap of 2 streams reached: new people wait');
    await expect(page.getByTestId('sess-stutter')).toHaveCount(0);
    await expect.poll(() => queueNames(agent)).toEqual(['Cat']);
    await expect(page.getByTestId('seat-3-free')).toBeVisible();

    // Out of range: the server says so by the field, and nothing changes.
    await page.getByTestId('sess-spectators-input').fill('5000');
    await page.getByTestId('sess-link-input').fill('http://render-01:{8080+q}/');
    await page.getByTestId('sess-apply').click();
    await expect(page.getByTestId('sess-spectators-input-error')).toHaveText('At most 1000.');
    await expect(page.getByTestId('sess-link-input-error')).toContainText('Unknown placeholder "q"');
    await expect(page.getByTestId('sess-form-error')).toContainText('Not applied.');
    expect((await snapshot(agent)).config.spectatorsPerInstance).toBe(2);

    // A good template previews the links people will get.
    await page.getByTestId('sess-spectators-input').fill('2');
    await page.getByTestId('sess-link-input').fill('http://render-01:{8080+i}/');
    await expect(page.getByTestId('sess-link-preview')).toContainText('#2 → http://render-01:8081/');
    await page.getByTestId('sess-apply').click();
    await expect.poll(async () => (await snapshot(agent)).config.linkTemplate).toBe('http://render-01:{8080+i}/');
    await expect(page.getByTestId('sess-form-error')).toHaveCount(0);
  } finally {
    people.stop();
  }
});

test('simulated visitors fill the seats and queue up, and go home when stopped; zh-CN', async ({ console: { page, agent } }) => {
  await reset(agent);
  await page.setViewportSize({ width: 1440, height: 900 });
  // Two instances run (seats 1 and 2); seat 3 has none yet.
  await agent.call('profiles.save', { id: 'seat-stand-in', name: 'Seat stand-in', exe: process.execPath, args: [CPU_LOAD, '--load', '2', '--name', 'stream{n}'], staggerSec: 0 });
  await agent.call('instances.launch', { profileId: 'seat-stand-in', count: 2 });
  await openSessions(page);
  await expect(page.getByTestId('seat-1')).toHaveAttribute('data-running', 'true');
  await expect(page.getByTestId('seat-2')).toHaveAttribute('data-running', 'true');
  await expect(page.getByTestId('seat-3')).toHaveAttribute('data-running', 'false');
  await expect(page.getByTestId('seat-3')).toContainText('no instance running');
  await expect(page.getByTestId('sess-simulate')).toHaveAttribute('data-running', 'false');

  await page.getByTestId('sim-rate').fill('240');
  await page.getByTestId('sim-mean').fill('30');
  await page.getByTestId('sim-share').fill('50');
  await page.getByTestId('sim-start').click();
  await expect(page.getByTestId('sess-simulate')).toHaveAttribute('data-running', 'true');
  const sim = (await snapshot(agent)).simulation;
  expect(sim).toMatchObject({ running: true, arrivalsPerMin: 240, meanSessionSec: 30, operateShare: 0.5 });

  // The seats fill and a queue forms.
  await expect.poll(async () => (await snapshot(agent)).seats.filter((s) => s.operator).length, { timeout: 30_000 }).toBe(3);
  await expect.poll(async () => (await snapshot(agent)).queue.length, { timeout: 45_000 }).toBeGreaterThanOrEqual(10);
  for (const n of [1, 2, 3]) await expect(page.getByTestId(`seat-${n}`)).not.toHaveAttribute('data-operator', '');
  await expect(page.getByTestId('queue-row').first()).toBeVisible();
  expect(Number(await page.getByTestId('sim-arrived').innerText())).toBeGreaterThanOrEqual(13);
  await expect(page.getByTestId('sess-cap-note')).toContainText('Cap of 8 streams reached');
  // The picture shows the full line: wait for the rows, not for a fixed time.
  await expect.poll(() => page.getByTestId('queue-row').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(10);
  await shot(page, 'sessions-04-full-queue');

  // The same in Chinese.
  await page.getByTestId('lang').selectOption('zh-CN');
  await expect(page.getByTestId('nav-sessions')).toHaveText('会话与排队');
  await expect(page.getByTestId('sess-pause')).toContainText('暂停接纳');
  await expect(page.getByTestId('sess-seats')).toContainText('座位');
  await expect(page.getByTestId('sess-queue')).toContainText('排队名单');
  await expect(page.getByTestId('sess-bandwidth')).toContainText('带宽');
  await expect(page.getByTestId('sim-stop')).toContainText('停止');
  // Simulated visitors are named in the console's language.
  await expect(page.getByTestId('queue-row').first()).toContainText(/(访客|观众) \d+/);
  await expect(page.getByTestId('queue-row').last()).toContainText(/(访客|观众) \d+/); // every row redrawn in Chinese
  await shot(page, 'sessions-05-zh-CN');

  // Stop: the visitors go home, the seats and the queue empty.
  await page.getByTestId('sim-stop').click();
  await expect(page.getByTestId('sess-simulate')).toHaveAttribute('data-running', 'false');
  await expect(page.getByTestId('sim-visitors')).toHaveText('0');
  await expect(page.getByTestId('queue-empty')).toHaveText('没有人在排队。');
  const after = await snapshot(agent);
  expect(after.simulation.running).toBe(false);
  expect(after.queue).toEqual([]);
  expect(after.seats.every((s) => s.operator === null && s.spectators.length === 0)).toBe(true);
  await agent.call('instances.stopAll');
});

test('seats can follow the running instances', async ({ console: { page, agent } }) => {
  await reset(agent);
  await openSessions(page);
  await page.getByTestId('sess-from-instances').check();
  await page.getByTestId('sess-apply').click();
  await expect(page.getByTestId('sess-no-seats')).toContainText('no instance is running');
  await agent.call('profiles.save', { id: 'seat-stand-in', name: 'Seat stand-in', exe: process.execPath, args: [CPU_LOAD, '--load', '2', '--name', 'stream{n}'], staggerSec: 0 });
  await agent.call('instances.launch', { profileId: 'seat-stand-in', count: 2 });
  await expect(page.getByTestId('seat-2')).toHaveAttribute('data-running', 'true');
  await expect(page.getByTestId('seat-3')).toHaveCount(0);
  await expect(page.getByTestId('sess-seats')).toContainText('one per running instance');
  await agent.call('instances.stopAll');
  await expect(page.getByTestId('sess-no-seats')).toBeVisible();
});

test('the signalling server card shows Wilbur’s player counts beside StreamCap’s, or why it cannot', async ({ console: { page, agent } }) => {
  await reset(agent);
  // A stand-in for Wilbur's REST API (--rest_api): two streamers, three players.
  const wilbur = http.createServer((req, res) => {
    const body =
      req.url === '/api/status'
        ? { uptime: 1000, streamer_count: 2, player_count: 3, version: '2.1.0' }
        : req.url === '/api/streamers'
          ? [
              {
                streamerId: 'stream1',
                type: 'Streamer',
                streaming: true,
                subscribers: [
                  { playerId: 'p1', type: 'Player' },
                  { playerId: 'p2', type: 'Player' },
                ],
              },
              { streamerId: 'stream2', type: 'Streamer', streaming: true, subscribers: [{ playerId: 'p3', type: 'Player' }] },
            ]
          : req.url === '/api/players'
            ? [
                { playerId: 'p1', subscribedTo: 'stream1' },
                { playerId: 'p2', subscribedTo: 'stream1' },
                { playerId: 'p3', subscribedTo: 'stream2' },
              ]
            : null;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not found' }));
  });
  await new Promise<void>((r) => wilbur.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(wilbur.address() as AddressInfo).port}`;
  const people = new People(agent);
  try {
    await openSessions(page);
    await expect(page.getByTestId('sess-wilbur')).toHaveCount(0);
    await people.join('Alice');
    await people.join('Bob');
    await page.getByTestId('sess-wilbur-input').fill(url);
    await page.getByTestId('sess-apply').click();
    const card = page.getByTestId('sess-wilbur');
    await expect(card).toHaveAttribute('data-ok', 'true');
    await expect(page.getByTestId('wilbur-streamers')).toHaveText('2');
    await expect(page.getByTestId('wilbur-players')).toHaveText('3');
    await expect(card.getByRole('row', { name: /stream1/ })).toContainText('2');
    await expect(card).toContainText('v2.1.0');
    await shot(page, 'sessions-06-wilbur');

    // Not Wilbur: the card says why.
    await agent.call('admission.set', { wilburUrl: `${url}/nothing-here` });
    await expect(card).toHaveAttribute('data-ok', 'false');
    await expect(page.getByTestId('wilbur-reason')).not.toBeEmpty();
    await agent.call('admission.set', { wilburUrl: '' });
    await expect(card).toHaveCount(0);
  } finally {
    people.stop();
    wilbur.close();
  }
});

test('a long line pages: the first 100 and the total, Next/Previous by keyboard, and a kick past the first page', async ({ console: { page, agent } }) => {
  await reset(agent);
  await agent.call('admission.set', { paused: true, heartbeatTimeoutSec: 600 });
  // The core's own join (no per-address limit): 150 wait while admission is paused.
  for (let k = 0; k < 150; k++) await agent.call('sessions.join', { person: { name: `L${k}`, want: 'operate' } });
  await openSessions(page);
  await expect(page.getByTestId('queue-count')).toContainText('150');
  await expect(page.getByTestId('queue-row')).toHaveCount(100);
  await expect(page.getByTestId('queue-range')).toHaveText('1–100 of 150');
  await expect(page.getByTestId('queue-prev')).toBeDisabled();
  await page.getByTestId('queue-next').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('queue-range')).toHaveText('101–150 of 150');
  await expect(page.getByTestId('queue-row')).toHaveCount(50);
  await expect(page.getByTestId('queue-row').first()).toHaveAttribute('data-name', 'L100');
  await page.getByTestId('queue-row').first().getByTestId('queue-kick').click();
  await expect(page.getByTestId('queue-range')).toHaveText('101–149 of 149');
  await expect(page.getByTestId('queue-row').first()).toHaveAttribute('data-name', 'L101');
  expect((await snapshot(agent)).queueTotal).toBe(149);
  await page.getByTestId('queue-prev').click();
  await expect(page.getByTestId('queue-row')).toHaveCount(100);
  await expect(page.getByTestId('queue-row').first()).toHaveAttribute('data-name', 'L0');
});
