// The sales engineer's story: type the customer's audience into the Bandwidth view,
// see what uplink and how many encoder sessions it needs, then plan the servers.
import { expect, shot, test } from './fixtures';
import type { Page } from '@playwright/test';

async function openBandwidth(page: Page) {
  await page.getByTestId('nav-bandwidth').click();
  await expect(page.getByTestId('bandwidth-view')).toBeVisible();
}

async function snap(page: Page, name: string) {
  const file = await shot(page, name);
  await test.info().attach(name, { path: file, contentType: 'image/png' });
}

/** Nothing on screen may read NaN or Infinity, whatever was typed. */
async function expectNoNonsense(page: Page) {
  await expect(page.getByTestId('bandwidth-view')).not.toContainText(/NaN|Infinity|undefined/);
}

test('calculator: 8 Mbps × (10 + 20) = 240 Mbps, fits or not, encoder sessions, bad input', async ({ console: { page } }) => {
  await openBandwidth(page);
  const total = page.getByTestId('bw-total');

  // The brief's example, typed in; no uplink yet.
  await page.getByTestId('bw-bitrate').fill('8');
  await page.getByTestId('bw-operators').fill('10');
  await page.getByTestId('bw-spectators').fill('20');
  await page.getByTestId('bw-uplink').fill('');
  await expect(total).toHaveText('240');
  await expect(page.getByTestId('bw-formula')).toContainText('8 Mbps per stream × (10 operators + 20 spectators) = 240 Mbps');
  await expect(page.getByTestId('bw-overhead')).toHaveValue('0'); // overhead shown, default 0
  await expect(page.getByTestId('bw-fits')).toHaveCount(0);
  await expect(page.getByTestId('bw-utilization')).toContainText('Enter the uplink capacity');

  // A 300 Mbps uplink: 80 % used, fits; 27 spectators fit beside 10 operators; 10 Mbps is the highest bitrate.
  await page.getByTestId('bw-uplink').fill('300');
  await expect(page.getByTestId('bw-fits')).toHaveAttribute('data-fits', 'true');
  await expect(page.getByTestId('bw-utilization')).toContainText('80 % of the 300 Mbps uplink');
  await expect(page.getByTestId('bw-max-spectators-value')).toHaveText('27');
  await expect(page.getByTestId('bw-max-bitrate-value')).toContainText('10');
  await expect(page.getByTestId('bw-max-spectators')).toContainText('300 Mbps ÷ 8 Mbps per stream = 37 streams');

  // 200 Mbps does not fit.
  await page.getByTestId('bw-uplink').fill('200');
  await expect(page.getByTestId('bw-fits')).toHaveAttribute('data-fits', 'false');
  await expect(page.getByTestId('bw-bandwidth')).toContainText('40 Mbps short');
  await expect(page.getByTestId('bw-max-spectators-value')).toHaveText('15');

  // 300 Mbps with 20 % headroom leaves exactly 240 usable: fits.
  await page.getByTestId('bw-uplink').fill('300');
  await page.getByTestId('bw-headroom').fill('20');
  await expect(page.getByTestId('bw-fits')).toHaveAttribute('data-fits', 'true');
  await expect(page.getByTestId('bw-utilization')).toContainText('leaves 240 Mbps usable');
  await expect(page.getByTestId('bw-max-spectators-value')).toHaveText('20');

  // Encoder sessions: 30 without an SFU, 10 with one; 8 operators behind an SFU are within the GeForce limit.
  await expect(page.getByTestId('bw-sessions')).toHaveText('30');
  await expect(page.getByTestId('bw-encoder-fits')).toHaveAttribute('data-fits', 'false');
  await page.getByTestId('bw-sfu').check();
  await expect(page.getByTestId('bw-sessions')).toHaveText('10');
  await expect(page.getByTestId('bw-encoder')).toContainText('One per operator');
  await page.getByTestId('bw-operators').fill('8');
  await expect(page.getByTestId('bw-encoder-fits')).toHaveAttribute('data-fits', 'true');
  await page.getByTestId('bw-operators').fill('10');

  // Keyboard: arrows step a field like a spin box.
  await page.getByTestId('bw-spectators').press('ArrowUp');
  await expect(page.getByTestId('bw-spectators')).toHaveValue('21');
  await page.getByTestId('bw-spectators').press('ArrowDown');

  // A preset sets the bitrate: 1080p60 is 12 Mbps → 360 Mbps.
  await page.getByTestId('bw-preset').selectOption('1080p60');
  await expect(page.getByTestId('bw-bitrate')).toHaveValue('12');
  await expect(total).toHaveText('360');
  await page.getByTestId('bw-bitrate').fill('8');
  await expect(page.getByTestId('bw-preset')).toHaveValue('1080p30');
  await expectNoNonsense(page);
  await snap(page, 'bandwidth-calculator');

  // Bad input: a clear message at the field, no results, never NaN.
  const cases: Array<[string, string, string]> = [
    ['bw-bitrate', 'fast', 'Enter a number'],
    ['bw-bitrate', '0', 'Must be at least 0.01.'],
    ['bw-bitrate', '5000', 'Must be at most 1,000.'],
    ['bw-operators', '-3', 'Cannot be negative.'],
    ['bw-operators', '2.5', 'Enter a whole number.'],
    ['bw-spectators', '2000000', 'Must be at most 1,000,000.'],
    ['bw-headroom', '100', 'Must be at most 99.'],
  ];
  for (const [field, value, message] of cases) {
    const good = await page.getByTestId(field).inputValue();
    await page.getByTestId(field).fill(value);
    await expect(page.getByTestId(`${field}-error`)).toContainText(message);
    await expect(page.getByTestId(field)).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('bw-invalid')).toBeVisible();
    await expectNoNonsense(page);
    if (field === 'bw-operators' && value === '-3') {
      await page.getByTestId('bw-bitrate').fill('abc');
      await snap(page, 'bandwidth-bad-input');
      await page.getByTestId('bw-bitrate').fill('8');
    }
    await page.getByTestId(field).fill(good);
    await expect(page.getByTestId(`${field}-error`)).toHaveCount(0);
  }
  await expect(total).toHaveText('240');

  // The same view in Chinese.
  await page.getByTestId('lang').selectOption('zh-CN');
  await expect(page.getByTestId('bw-formula')).toContainText('每路 8 Mbps × （10 位操作者 + 20 位观看者）= 240 Mbps');
  await snap(page, 'bandwidth-zh-CN');
});

test('live check shows this machine’s measured send rate, or why it is not measured', async ({ console: { page } }) => {
  await openBandwidth(page);
  const live = page.getByTestId('bw-live');
  await expect(live).not.toHaveAttribute('data-state', 'waiting');
  if ((await live.getAttribute('data-state')) === 'measured') {
    await expect(page.getByTestId('bw-live-tx')).toHaveText(/^(< )?\d[\d,]*(\.\d+)?$/);
    await expect(live).toContainText('Mbps ↑');
  } else {
    await expect(page.getByTestId('bw-live-tx')).toHaveText('—');
    await expect(page.getByTestId('bw-live-note')).toContainText('Network not measured:');
  }
});

test('planner: 200 visitors, 30 % operating, 10 streams per server → servers, uplink, sessions', async ({ console: { page } }) => {
  await openBandwidth(page);
  await page.getByTestId('plan-audience').fill('200');
  await page.getByTestId('plan-operating').fill('30');
  await page.getByTestId('plan-per-server').fill('10');
  await page.getByTestId('plan-bitrate').fill('8');
  await page.getByTestId('plan-headroom').fill('0');

  await expect(page.getByTestId('plan-split')).toContainText('200 visitors × 30 % operating = 60 operators; 140 spectators watch.');
  await expect(page.getByTestId('plan-servers-value')).toHaveText('6');
  await expect(page.getByTestId('plan-servers-why')).toHaveText('60 operators ÷ 10 streams per server = 6 servers.');
  await expect(page.getByTestId('plan-uplink-value')).toHaveText('1,600');
  await expect(page.getByTestId('plan-uplink-why')).toContainText('8 Mbps × 200 viewers = 1,600 Mbps at peak.');
  await expect(page.getByTestId('plan-sessions-value')).toHaveText('34');
  await expect(page.getByTestId('plan-sessions-fits')).toHaveAttribute('data-fits', 'false');
  await expect(page.getByTestId('plan-sessions-why')).toContainText('200 sessions (one per viewer) over 6 servers = 34 per server.');

  // Headroom raises the uplink; rounding up is said.
  await page.getByTestId('plan-headroom').fill('20');
  await expect(page.getByTestId('plan-uplink-value')).toHaveText('2,000');
  await expect(page.getByTestId('plan-uplink-why')).toContainText('1,600 ÷ 0.8 = 2,000 Mbps');
  await page.getByTestId('plan-audience').fill('201');
  await expect(page.getByTestId('plan-servers-why')).toHaveText('61 operators ÷ 10 streams per server = 7 servers (rounded up).');
  await page.getByTestId('plan-audience').fill('200');

  // With an SFU: one session per operator; 8 streams per server keeps within GeForce's 8.
  await page.getByTestId('plan-sfu').check();
  await expect(page.getByTestId('plan-sessions-value')).toHaveText('10');
  await page.getByTestId('plan-per-server').fill('8');
  await expect(page.getByTestId('plan-servers-value')).toHaveText('8');
  await expect(page.getByTestId('plan-sessions-fits')).toHaveAttribute('data-fits', 'true');
  await page.getByTestId('plan-per-server').fill('10');
  await page.getByTestId('plan-sfu').uncheck();
  await expectNoNonsense(page);
  await snap(page, 'bandwidth-planner');

  // Bad input at the field.
  await page.getByTestId('plan-per-server').fill('0');
  await expect(page.getByTestId('plan-per-server-error')).toHaveText('Must be at least 1.');
  await page.getByTestId('plan-operating').fill('130');
  await expect(page.getByTestId('plan-operating-error')).toHaveText('Must be at most 100.');
  await page.getByTestId('plan-audience').fill('many');
  await expect(page.getByTestId('plan-audience-error')).toContainText('Enter a number');
  await expect(page.getByTestId('plan-invalid')).toBeVisible();
  await expectNoNonsense(page);
});
