// Real streams in the console: two JSStreamers (Epic's stand-in for an Unreal Pixel
// Streaming app) launched by a real agent against a real Wilbur, the Instances view's
// stream column from StreamCap's viewers, and the stream wall playing the live video.
import { createHash } from 'node:crypto';
import { jsStreamerProfile, LOOPBACK_ICE_INIT, requireStack, serveJsStreamer, startWilbur, type Wilbur } from '../test/pixel-streaming';
import { collectConsoleErrors, expect, openConsole, shot, startAgent, stopAgent, test as base, type AgentHandle } from './fixtures';

const HAVE = requireStack();

const test = base.extend<object, { stack: { agent: AgentHandle; wilbur: Wilbur; pages: { url: string; close(): Promise<void> } } }>({
  stack: [
    async ({}, use) => {
      const wilbur = await startWilbur();
      const pages = await serveJsStreamer();
      const agent = await startAgent();
      await agent.call('profiles.save', jsStreamerProfile(pages.url, wilbur, { viewers: 1 }));
      await agent.call('instances.launch', { profileId: 'jsstreamer', count: 2 });
      await use({ agent, wilbur, pages });
      await stopAgent(agent);
      await pages.close();
      await wilbur.stop();
    },
    { scope: 'worker' },
  ],
});
test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--autoplay-policy=no-user-gesture-required',
      '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
      '--mute-audio',
      '--disable-background-networking',
      '--no-first-run',
    ],
  },
});
test.skip(!HAVE, 'Pixel Streaming stack or Chromium missing (see the message above)');

test("the Instances view shows each stream as StreamCap's viewer receives it", async ({ page, stack }) => {
  const errors = collectConsoleErrors(page);
  await openConsole(page, stack.agent);
  for (const n of [1, 2]) await expect(page.getByTestId(`stream-${n}`)).toHaveAttribute('data-measured', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('stream-1')).toContainText(/\d+ fps · \d+\.\d Mbps/);
  await expect(page.getByTestId('card-streams')).toContainText(/2 streams/);
  await page.getByTestId('instance-row-1').click();
  await expect(page.getByTestId('chart-instance-fps')).toBeVisible();
  // A few seconds of chart: six more samples (3 s at the agent's 500 ms) in the history it draws.
  const samples = async () => (await stack.agent.call<unknown[]>('metrics.history')).length;
  const had = await samples();
  await expect.poll(samples, { timeout: 15_000 }).toBeGreaterThanOrEqual(had + 6);
  await shot(page, 'streams-instances');
  // The measured bitrate is offered where people plan.
  await page.getByTestId('nav-bandwidth').click();
  await expect(page.getByTestId('bw-measured')).toContainText(/Measured on this server: \d+\.\d+ Mbps per stream \(2 streams/);
  await page.getByTestId('bw-measured').getByRole('button', { name: 'Use it' }).click();
  const used = Number(await page.getByTestId('bw-bitrate').inputValue());
  expect(used).toBeGreaterThan(0.2);
  expect(used).toBeLessThan(10);
  await shot(page, 'streams-bandwidth-measured');
  expect(errors).toEqual([]);
});

test('the stream wall plays the live video of every instance, with its figures', async ({ page, stack }) => {
  const errors = collectConsoleErrors(page);
  // The tiles are players: media on loopback only, loopback candidates allowed.
  await page.addInitScript({ content: LOOPBACK_ICE_INIT });
  await openConsole(page, stack.agent);
  await page.getByTestId('nav-wall').click();
  await expect(page.getByTestId('wall-note')).toContainText('one more encode');
  for (const n of [1, 2]) {
    await expect(page.getByTestId(`tile-${n}`)).toHaveAttribute('data-state', 'playing', { timeout: 60_000 });
    await expect(page.getByTestId(`tile-figures-${n}`)).toContainText(/[1-9]\d* fps/, { timeout: 30_000 });
  }
  // Moving video: a later picture of each tile's video differs from the first (asked until it does, up to 10 s).
  for (const n of [1, 2]) {
    const video = page.getByTestId(`tile-${n}`).locator('video');
    const picture = async () =>
      createHash('sha1')
        .update(await video.screenshot())
        .digest('hex');
    const a = await picture();
    await expect.poll(picture, { message: `tile ${n} shows moving video`, timeout: 10_000 }).not.toBe(a);
  }
  // The wall's picture once each tile has played two seconds of video (not a fixed pause).
  for (const n of [1, 2]) {
    await expect
      .poll(
        () =>
          page
            .getByTestId(`tile-${n}`)
            .locator('video')
            .evaluate((v: { currentTime: number }) => v.currentTime),
        { timeout: 15_000 },
      )
      .toBeGreaterThan(2);
  }
  await shot(page, 'streams-wall');
  await page.getByTestId('tile-1').click();
  await expect(page.getByTestId('tile-1')).toHaveClass(/big/);
  await expect(page.getByTestId('tile-2')).toBeHidden();
  await shot(page, 'streams-wall-enlarged');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('tile-2')).toBeVisible();
  expect(errors).toEqual([]);
});

test('the profile editor takes stream settings, previews instances 1 and 2, and names a bad URL', async ({ page, stack }) => {
  await openConsole(page, stack.agent);
  await page.getByTestId('nav-profiles').click();
  await page.getByTestId('profile-jsstreamer').getByRole('button', { name: 'Edit' }).click();
  await expect(page.getByTestId('pf-signalling')).toHaveValue(stack.wilbur.playerWs);
  await expect(page.getByTestId('stream-preview-1')).toContainText(`#1: stream1 at ${stack.wilbur.playerWs}`);
  await expect(page.getByTestId('stream-preview-2')).toContainText('#2: stream2');
  await page.getByTestId('pf-streamer-id').fill('app-{n+10}');
  await expect(page.getByTestId('stream-preview-2')).toContainText('#2: app-12');
  await page.getByTestId('pf-signalling').fill('http://127.0.0.1:80');
  await page.getByTestId('pf-save').click();
  await expect(page.locator('.field.invalid')).toContainText('ws:// or wss://');
  await shot(page, 'streams-profile-editor');
});
