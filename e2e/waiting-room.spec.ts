// The end users' waiting room at /wait: join, wait in line, get let in live when a
// seat frees, in English and Chinese, across a reload, when kicked, and when a
// request is refused. One operator seat, one spectator place.
import type { Page } from '@playwright/test';
import type { AdmissionSnapshot } from '../shared/admission-rules';
import { clearAdmission, expect, shot as saveShot, test, type AgentHandle } from './fixtures';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const LINK = 'http://render-01.local:8080/';

/** One seat, one spectator, and nobody left over from the test before. */
async function resetAdmission(agent: AgentHandle): Promise<void> {
  await agent.call('admission.set', {
    seatsFrom: 'manual',
    seats: 1,
    spectatorsPerInstance: 1,
    policy: 'capped',
    uplinkMbps: 1000,
    bitrateMbps: 8,
    paused: false,
    linkTemplate: 'http://render-01.local:{8080+i}/',
  });
  await clearAdmission(agent);
}

/** The place the page keeps for a reload (e2e has no DOM types: reach it through globalThis). */
const readStored = () => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('streamcap.wait.session');

/** A screenshot once the card's entrance animations are over (the looping ones keep going). */
async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(async () => {
    const finite = (globalThis as unknown as { document: { getAnimations(): { effect: { getTiming(): { iterations?: number } } | null; finished: Promise<unknown> }[] } }).document
      .getAnimations()
      .filter((a) => a.effect?.getTiming().iterations !== Infinity);
    await Promise.all(finite.map((a) => a.finished.catch(() => undefined)));
  });
  await saveShot(page, name);
}

const watched = new WeakSet<Page>();

async function openWaitRoom(page: Page, agent: AgentHandle, query = 'lang=en'): Promise<void> {
  if (!watched.has(page)) {
    watched.add(page);
    page.on('pageerror', (e) => console.log('wait page error:', e.message));
  }
  await page.setViewportSize(DESKTOP);
  await page.goto(`${agent.base}/wait?${query}`);
}

/** Joins through the form and waits for the session card. */
async function join(page: Page, name: string, want: 'operate' | 'watch' | 'any'): Promise<void> {
  await page.getByTestId('wait-name').fill(name);
  await page.getByTestId(`want-${want}`).click();
  await page.getByTestId('wait-join').click();
  await expect(page.getByTestId('wait-status')).toBeVisible();
}

/** A second person: a page of their own (its own sessionStorage). */
async function person(page: Page, agent: AgentHandle, name: string, want: 'operate' | 'watch' | 'any', query = 'lang=en'): Promise<Page> {
  const p = await page.context().newPage();
  await openWaitRoom(p, agent, query);
  await join(p, name, want);
  return p;
}

test.describe('waiting room', () => {
  test.beforeEach(async ({ agent }) => {
    await resetAdmission(agent);
  });

  test('the first gets the stream, the second waits and is let in live when the first leaves', async ({ console: { page, agent } }) => {
    await openWaitRoom(page, agent);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByTestId('wait-form')).toBeVisible();
    await shot(page, 'wait-00-form');
    await page.setViewportSize(PHONE);
    await shot(page, 'wait-00-form-phone');
    await page.setViewportSize(DESKTOP);

    // A takes the only seat.
    await join(page, 'Alice', 'operate');
    const statusA = page.getByTestId('wait-status');
    await expect(statusA).toHaveAttribute('data-role', 'operator');
    await expect(statusA).toContainText('Your stream is ready');
    await expect(statusA).toContainText('Instance 1 is yours');
    await expect(page.getByTestId('wait-link')).toHaveAttribute('href', LINK);
    await expect(page.getByTestId('wait-link')).toHaveAttribute('target', '_blank');
    await expect(page).toHaveTitle('Your stream is ready');
    await expect(page.getByTestId('wait-conn')).toHaveAttribute('data-state', 'live');
    await shot(page, 'wait-01-ready');

    // B comes second: first in line. The query prefills the form; Enter submits.
    const pageB = await page.context().newPage();
    await openWaitRoom(pageB, agent, 'lang=en&name=Bob&want=operate');
    await expect(pageB.getByTestId('wait-name')).toHaveValue('Bob');
    await expect(pageB.getByTestId('want-operate').locator('input')).toBeChecked();
    await pageB.getByTestId('wait-name').press('Enter');
    const statusB = pageB.getByTestId('wait-status');
    await expect(statusB).toHaveAttribute('data-role', 'queued');
    await expect(statusB).toHaveAttribute('aria-live', 'polite');
    await expect(pageB.getByTestId('wait-position')).toHaveAttribute('data-position', '1');
    await expect(pageB.getByTestId('wait-position')).toContainText('1');
    await expect(statusB).toContainText('You’re next');
    await expect(pageB.getByTestId('wait-eta')).toContainText(/Estimated wait\s*(estimating…|less than a minute|about \d+ min)/);
    await expect(pageB).toHaveTitle('#1 in line · StreamCap');
    await expect(pageB.getByTestId('wait-conn')).toHaveAttribute('data-state', 'live');
    await shot(pageB, 'wait-02-queued');
    await pageB.setViewportSize(PHONE);
    await shot(pageB, 'wait-03-queued-phone');
    await pageB.setViewportSize(DESKTOP);

    // Keyboard: Tab reaches the leave button.
    await pageB.locator('body').click({ position: { x: 5, y: 5 } });
    let reached = false;
    for (let i = 0; i < 6 && !reached; i++) {
      await pageB.keyboard.press('Tab');
      reached = await pageB.getByTestId('wait-leave').evaluate((el) => el === el.ownerDocument.activeElement);
    }
    expect(reached).toBe(true);

    // A leaves: B's page turns to "ready" through its socket, well inside the 5 s poll.
    await page.getByTestId('wait-leave').click();
    await expect(page.getByTestId('wait-ended')).toHaveAttribute('data-reason', 'left');
    await expect(page.getByTestId('wait-ended')).toContainText('You left the queue');
    await expect(statusB).toHaveAttribute('data-role', 'operator', { timeout: 4_000 });
    await expect(statusB).toContainText('Your stream is ready');
    await expect(pageB.getByTestId('wait-link')).toHaveAttribute('href', LINK);
    await expect(pageB).toHaveTitle('Your stream is ready');
    await shot(pageB, 'wait-04-promoted');
    await pageB.setViewportSize(PHONE);
    await shot(pageB, 'wait-04-promoted-phone');
    await shot(page, 'wait-05-left');
    await pageB.close();
  });

  test('zh-CN: the waiting prompt in Chinese, and the language switch', async ({ console: { page, agent } }) => {
    const holder = await person(page, agent, 'Alice', 'operate');
    const first = await person(page, agent, 'Bob', 'operate');
    await expect(first.getByTestId('wait-position')).toHaveAttribute('data-position', '1');

    await openWaitRoom(page, agent, 'lang=zh-CN');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(page.getByTestId('wait-form')).toContainText('加入画面');
    await expect(page.getByTestId('want-any')).toContainText('都可以');
    await shot(page, 'wait-10-form-zh');
    await join(page, '小明', 'operate');
    const status = page.getByTestId('wait-status');
    await expect(status).toHaveAttribute('data-role', 'queued');
    await expect(page.getByTestId('wait-position')).toHaveAttribute('data-position', '2');
    await expect(status).toContainText('您正在排队');
    await expect(status).toContainText('您前面还有 1 人');
    await expect(page.getByTestId('wait-eta')).toContainText(/预计等待\s*(正在估算…|不到 1 分钟|约 \d+ 分钟)/);
    await expect(page.getByTestId('wait-leave')).toHaveText('离开');
    await expect(page).toHaveTitle('第 2 位 · StreamCap');
    await shot(page, 'wait-11-queued-zh');
    await page.setViewportSize(PHONE);
    await shot(page, 'wait-12-queued-zh-phone');
    await page.setViewportSize(DESKTOP);

    // The corner switch: English, and back; the URL keeps the choice.
    await page.getByTestId('lang-en').click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(status).toContainText('1 person ahead of you');
    expect(new URL(page.url()).searchParams.get('lang')).toBe('en');
    await page.getByTestId('lang-zh-CN').click();
    await expect(status).toContainText('您前面还有 1 人');

    // Promoted while in Chinese.
    await holder.getByTestId('wait-leave').click();
    await first.getByTestId('wait-leave').click();
    await expect(status).toHaveAttribute('data-role', 'operator');
    await expect(status).toContainText('您的画面已就绪');
    await expect(page).toHaveTitle('您的画面已就绪');
    await shot(page, 'wait-13-ready-zh');
    await holder.close();
    await first.close();
  });

  test('"any": watches while waiting, and keeps a place in line for a seat', async ({ console: { page, agent } }) => {
    const holder = await person(page, agent, 'Alice', 'operate');
    await openWaitRoom(page, agent);
    await join(page, 'Dana', 'any');
    const status = page.getByTestId('wait-status');
    await expect(status).toHaveAttribute('data-role', 'spectator');
    await expect(status).toContainText('You are watching instance 1');
    await expect(page.getByTestId('wait-seat-position')).toHaveAttribute('data-position', '1');
    await expect(page.getByTestId('wait-seat-position')).toContainText('next in line for a seat');
    await expect(page.getByTestId('wait-link')).toHaveAttribute('href', LINK);
    await shot(page, 'wait-20-watching');
    await holder.getByTestId('wait-leave').click();
    await expect(status).toHaveAttribute('data-role', 'operator');

    // No link template: the host shows the screen.
    await agent.call('admission.set', { linkTemplate: '' });
    await expect(status).toContainText('Instance 1 is yours — the host will show you the screen.');
    await expect(page.getByTestId('wait-link')).toHaveCount(0);
    await shot(page, 'wait-21-ready-no-link');
    await holder.close();
  });

  test('kicked by the host: the page says so', async ({ console: { page, agent } }) => {
    const holder = await person(page, agent, 'Alice', 'operate');
    await openWaitRoom(page, agent);
    await join(page, 'Mallory', 'operate');
    await expect(page.getByTestId('wait-status')).toHaveAttribute('data-role', 'queued');
    await expect(page.getByTestId('wait-conn')).toHaveAttribute('data-state', 'live');

    const snap = await agent.call<AdmissionSnapshot>('admission.get');
    expect(snap.queue[0]?.name).toBe('Mallory');
    await agent.call('admission.kick', { id: snap.queue[0]!.id });
    const ended = page.getByTestId('wait-ended');
    await expect(ended).toHaveAttribute('data-reason', 'kicked');
    await expect(ended).toContainText('You were removed');
    await expect(ended).toContainText('The host removed you');
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
    await shot(page, 'wait-30-kicked');

    // The operator can be removed too.
    const opId = (await agent.call<AdmissionSnapshot>('admission.get')).seats[0]!.operator!.id;
    await agent.call('admission.kick', { id: opId });
    await expect(holder.getByTestId('wait-ended')).toHaveAttribute('data-reason', 'kicked');

    // Join again: the form, prefilled.
    await page.getByTestId('wait-again').click();
    await expect(page.getByTestId('wait-name')).toHaveValue('Mallory');
    await holder.close();
  });

  test('a reload keeps the place; a place that is gone says so', async ({ console: { page, agent } }) => {
    const holder = await person(page, agent, 'Alice', 'operate');
    const first = await person(page, agent, 'Bob', 'operate');
    await openWaitRoom(page, agent);
    await join(page, 'Carol', 'operate');
    await expect(page.getByTestId('wait-position')).toHaveAttribute('data-position', '2');
    const before = await page.evaluate(readStored);
    expect(before).toContain('"name":"Carol"');

    await page.reload();
    await expect(page.getByTestId('wait-position')).toHaveAttribute('data-position', '2');
    await expect(page.getByTestId('wait-conn')).toHaveAttribute('data-state', 'live');
    expect(await page.evaluate(readStored)).toBe(before);
    const snap = await agent.call<AdmissionSnapshot>('admission.get');
    expect(snap.queue.map((q) => q.name)).toEqual(['Bob', 'Carol']);

    // Paused admission: said instead of an estimate; the place stays.
    await agent.call('admission.set', { paused: true });
    await expect(page.getByTestId('wait-eta')).toContainText('admission is paused');
    await expect(page.getByTestId('wait-paused')).toBeVisible();
    await expect(page.getByTestId('wait-position')).toHaveAttribute('data-position', '2');
    await shot(page, 'wait-41-paused');
    await agent.call('admission.set', { paused: false });
    await expect(page.getByTestId('wait-paused')).toHaveCount(0);

    // A stored place the server no longer knows: "expired", and the form again, prefilled.
    await page.evaluate(
      (v) => (globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }).sessionStorage.setItem('streamcap.wait.session', v),
      JSON.stringify({ id: 'gone-0123456789', name: 'Carol', want: 'operate' }),
    );
    await page.reload();
    await expect(page.getByTestId('wait-notice')).toHaveAttribute('data-reason', 'expired');
    await expect(page.getByTestId('wait-notice')).toContainText('Your place has expired');
    await expect(page.getByTestId('wait-name')).toHaveValue('Carol');
    await shot(page, 'wait-40-expired');
    await holder.close();
    await first.close();
  });

  test('refused requests are said in words: empty name, rate limit, bad input, no network', async ({ console: { page, agent } }) => {
    // ?auto=1 with no name: the form, with the problem at the name.
    await openWaitRoom(page, agent, 'lang=en&auto=1&name=');
    await expect(page.getByTestId('wait-error')).toHaveText('Please enter your name.');
    await expect(page.getByTestId('wait-name')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('wait-name')).toBeFocused();
    await shot(page, 'wait-50-name-required');

    // 429 from the server: how long to wait, and the button waits too.
    await page.route('**/api/v1/sessions', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'retry-after': '3', 'content-type': 'application/json' },
        body: JSON.stringify({ error: { code: 'rate_limited', message: 'Too many requests from this address: wait 3 s and try again.' } }),
      }),
    );
    await page.getByTestId('wait-name').fill('Eve');
    await page.getByTestId('wait-join').click();
    await expect(page.getByTestId('wait-error')).toHaveText('Too many requests right now. Please wait 3 s and try again.');
    await expect(page.getByTestId('wait-join')).toBeDisabled();
    await shot(page, 'wait-51-rate-limited');
    await expect(page.getByTestId('wait-join')).toBeEnabled({ timeout: 6_000 });

    // 400 with the server's reason.
    await page.unroute('**/api/v1/sessions');
    await page.route('**/api/v1/sessions', (route) =>
      route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: { code: 'invalid_payload', message: 'want: invalid option' } }) }),
    );
    await page.getByTestId('wait-join').click();
    await expect(page.getByTestId('wait-error')).toContainText('The server did not accept this request: want: invalid option.');

    // The server's own 400 for a name it refuses, in the person's words.
    await page.unroute('**/api/v1/sessions');
    await page.route('**/api/v1/sessions', (route) =>
      route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: { code: 'invalid_payload', message: 'name: at most 64 characters' } }) }),
    );
    await page.getByTestId('wait-join').click();
    await expect(page.getByTestId('wait-error')).toHaveText('Please use a name of at most 64 characters.');

    // No network.
    await page.unroute('**/api/v1/sessions');
    await page.route('**/api/v1/sessions', (route) => route.abort('internetdisconnected'));
    await page.getByTestId('wait-join').click();
    await expect(page.getByTestId('wait-error')).toContainText('couldn’t reach the server');
    await page.unroute('**/api/v1/sessions');

    // The real server refuses a name that is only spaces once trimmed; the form catches it first.
    await page.getByTestId('wait-name').fill('   ');
    await page.getByTestId('wait-join').click();
    await expect(page.getByTestId('wait-error')).toHaveText('Please enter your name.');

    // And ?auto=1 with a name joins at once.
    await openWaitRoom(page, agent, 'lang=en&auto=1&name=Frank&want=watch');
    await expect(page.getByTestId('wait-status')).toBeVisible();
    expect((await agent.call<AdmissionSnapshot>('admission.get')).seats[0]!.spectators.map((s) => s.name)).toEqual(['Frank']);
  });

  test('with the socket down the page polls, keeps its place and is still let in', async ({ console: { page, agent } }) => {
    const holder = await person(page, agent, 'Alice', 'operate');
    await page.routeWebSocket(/\/api\/v1\/sessions\/.*\/socket$/, (ws) => ws.close({ code: 1011, reason: 'blocked by the test' }));
    await openWaitRoom(page, agent);
    await join(page, 'Gus', 'operate');
    await expect(page.getByTestId('wait-conn')).toHaveAttribute('data-state', 'polling');
    await expect(page.getByTestId('wait-conn')).toContainText('Reconnecting');
    await shot(page, 'wait-60-polling');
    await holder.getByTestId('wait-leave').click();
    await expect(page.getByTestId('wait-status')).toHaveAttribute('data-role', 'operator', { timeout: 8_000 });
    await holder.close();
  });
});

test.describe('the public listener (--sessions-host)', () => {
  test('serves the waiting room and the client API, and not the admin console', async ({ browser }) => {
    const { spawn } = await import('node:child_process');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { ROOT } = await import('./fixtures');
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-e2e-pub-'));
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/streamcap.js'), 'agent', '--port', '0', '--sessions-host', '127.0.0.1', '--sessions-port', '0', '--sessions-per-address', '1'], {
      env: { ...process.env, STREAMCAP_HOME: home, STREAMCAP_LOCALE: 'en-US' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    try {
      await expect.poll(() => /Waiting room: (http:\/\/\S+\/wait)/.exec(out)?.[1] ?? null, { timeout: 90_000 }).not.toBeNull();
      const waitUrl = /Waiting room: (http:\/\/\S+\/wait)/.exec(out)![1]!;
      const pub = waitUrl.replace(/wait$/, '');
      const page = await browser.newPage({ viewport: DESKTOP });
      await page.goto(`${waitUrl}?lang=en`);
      await join(page, 'Lan User', 'operate');
      // No instance runs in this agent: no seat; the person waits first in line.
      await expect(page.getByTestId('wait-status')).toHaveAttribute('data-role', 'queued');
      await expect(page.getByTestId('wait-conn')).toHaveAttribute('data-state', 'live');
      // --sessions-per-address 1: this address holds its one place; a second join is refused in words.
      const second = await page.request.post(`${pub}api/v1/sessions`, { data: { name: 'Second tab', want: 'watch' } });
      expect(second.status()).toBe(429);
      expect(((await second.json()) as { error: { message: string } }).error.message).toMatch(/already holds 1 place in line/);
      // The console and its API are not there.
      expect((await page.request.get(`${pub}api/v1/admission`)).status()).toBe(404);
      expect((await page.request.get(`${pub}index.html`)).status()).toBe(404);
      await page.close();
    } finally {
      child.kill('SIGTERM');
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
