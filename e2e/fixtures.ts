// Starts a real agent (`node bin/streamcap.js agent --port 0`) with its own data
// folder for each test file, and opens the console in Chromium with its token.
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdmissionSnapshot, QueuePage } from '../shared/admission-rules';
import { everyoneIn, nextLine, withWholeQueue } from '../test/helpers';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CPU_LOAD = path.join(ROOT, 'electron/core/workloads/cpu-load.mjs');
export const SHOTS = path.join(ROOT, 'test-results', 'screenshots');

export interface AgentHandle {
  base: string;
  token: string;
  home: string;
  process: ChildProcess;
  call<T = unknown>(name: string, body?: unknown): Promise<T>;
}

export async function startAgent(extraEnv: Record<string, string> = {}, extraArgs: string[] = []): Promise<AgentHandle> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-e2e-'));
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/streamcap.js'), 'agent', '--port', '0', '--interval', '500', ...extraArgs], {
    env: { ...process.env, STREAMCAP_HOME: home, STREAMCAP_LOCALE: 'en-US', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const address = /Web console: (http:\/\/\S+?)\/#token=(\S+)/;
  const line = await nextLine(child, (l) => address.test(l), 'the agent to print its web console address', 90_000).catch((e: Error) => {
    throw new Error(`agent did not start: ${e.message}\n${out}`);
  });
  const [, baseUrl, token] = address.exec(line)!;
  return {
    base: baseUrl!,
    token: token!,
    home,
    process: child,
    async call<T>(name: string, body: unknown = {}) {
      const r = await fetch(`${baseUrl}/api/v1/commands/${name}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await r.json()) as { data: T; error?: { message: string } };
      if (json.error) throw new Error(json.error.message);
      return json.data;
    },
  };
}

/** Sends everyone in the admission state home (kicking can let the next person in: a few rounds). */
export async function clearAdmission(agent: AgentHandle): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const ids = everyoneIn(await withWholeQueue(await agent.call<AdmissionSnapshot>('admission.get'), (offset, limit) => agent.call<QueuePage>('admission.queue', { offset, limit })));
    if (ids.length === 0) return;
    for (const id of ids) await agent.call('admission.kick', { id }).catch(() => undefined);
  }
  throw new Error('could not empty the admission state');
}

export async function stopAgent(agent: AgentHandle): Promise<void> {
  if (agent.process.exitCode !== null) return;
  const exited = new Promise((r) => agent.process.once('exit', r));
  agent.process.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]); // a deadline, then SIGKILL
  if (agent.process.exitCode === null) agent.process.kill('SIGKILL');
}

export async function openConsole(page: Page, agent: AgentHandle): Promise<void> {
  await page.goto(`${agent.base}/#token=${agent.token}`);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'open');
}

/**
 * A screenshot of the page as it stands: fonts loaded, CSS animations and transitions
 * run to their end (no fixed pause before it: wait for what the picture must show).
 */
export async function shot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.evaluate('document.fonts.ready.then(() => true)');
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/**
 * Console errors of a page and of every page its context opens. A resource that answers
 * 4xx is left out: the tests provoke those on purpose (rate limits, ended sessions) and
 * the pages say them in words; everything else — CSP violations, exceptions, 5xx — counts.
 */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  const watch = (p: Page) =>
    p.on('console', (m) => {
      if (m.type() !== 'error') return;
      const text = m.text();
      if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
      if (/^Failed to load resource: net::ERR_(CONNECTION_REFUSED|INTERNET_DISCONNECTED|FAILED)/.test(text)) return; // "no network" stories
      errors.push(`${p.url()}: ${text}`);
    });
  watch(page);
  page.context().on('page', watch);
  return errors;
}

/** One agent per test file, and a page already showing its console. */
export const test = base.extend<{ console: { page: Page; agent: AgentHandle } }, { agent: AgentHandle }>({
  agent: [
    async ({}, use) => {
      const agent = await startAgent();
      await use(agent);
      await stopAgent(agent);
    },
    { scope: 'worker' },
  ],
  console: async ({ page, agent }, use) => {
    // Each test starts with an empty instance list, whatever the one before left.
    await agent.call('instances.stopAll');
    await agent.call('instances.clearExited');
    page.on('pageerror', (e) => console.log('page error:', e.message));
    const errors = collectConsoleErrors(page);
    await openConsole(page, agent);
    await use({ page, agent });
    // A clean console: no CSP violation, no script error, on any page the test opened.
    expect(errors, 'console errors').toEqual([]);
  },
});

export { expect };
