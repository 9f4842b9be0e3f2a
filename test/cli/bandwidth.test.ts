// Runs the real `streamcap bandwidth` command as a user would.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers';

const streamcap = (...args: string[]) => runCli(['bandwidth', ...args], 30_000);

describe('streamcap bandwidth', () => {
  it('--json: 8 Mbps × (10 + 20) = 240 Mbps, no uplink → nulls', async () => {
    const r = await streamcap('--bitrate', '8', '--operators', '10', '--spectators', '20', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ streams: 30, totalMbps: 240, uplinkMbps: null, utilization: null, fits: null, maxSpectators: null, encoderSessions: 30 });
    for (const key of ['streams', 'totalMbps', 'uplinkMbps', 'utilization', 'fits', 'maxSpectators', 'encoderSessions']) expect(out).toHaveProperty(key);
  });

  it('--json with an uplink, headroom and an SFU', async () => {
    const r = await streamcap('--bitrate=8', '--operators=10', '--spectators=20', '--uplink=300', '--headroom=10', '--sfu', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      streams: 30,
      totalMbps: 240,
      uplinkMbps: 300,
      utilization: 0.8,
      fits: true,
      maxSpectators: 23,
      encoderSessions: 10,
      usableMbps: 270,
      maxBitrateMbps: 9,
    });
  });

  it('--json: does not fit', async () => {
    const r = await streamcap('--preset', '1080p30', '--operators', '10', '--spectators', '20', '--uplink', '200', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ totalMbps: 240, fits: false, utilization: 1.2, maxSpectators: 15 });
  });

  it('spells the formula out without --json', async () => {
    const r = await streamcap('--bitrate', '8', '--operators', '10', '--spectators', '20', '--uplink', '1000', '--overhead', '5');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('8 Mbps per stream × (10 operators + 20 spectators) × (1 + 5 % overhead) = 252 Mbps');
    expect(r.stdout).toContain('25.2 % of it');
    expect(r.stdout).toContain('it fits');
    expect(r.stdout).toContain('30 encode sessions');
  });

  it.each([
    [['--bitrate', '0', '--operators', '1', '--spectators', '0'], '--bitrate must be at least 0.01 (got "0").'],
    [['--bitrate', 'fast', '--operators', '1', '--spectators', '0'], '--bitrate must be a number (got "fast").'],
    [['--bitrate', '8', '--operators=-3', '--spectators', '0'], '--operators cannot be negative (got "-3").'],
    [['--bitrate', '8', '--operators', '1.5', '--spectators', '0'], '--operators must be a whole number (got "1.5").'],
    [['--bitrate', '8', '--operators', '1', '--spectators', '5000000'], '--spectators must be at most 1,000,000 (got "5000000").'],
    [['--bitrate', '8', '--operators', '1'], '--spectators is required.'],
    [['--bitrate', '8', '--operators', '1', '--spectators', '1', '--headroom', '100'], '--headroom must be at most 99 (got "100").'],
    [['--preset', '8k', '--operators', '1', '--spectators', '1'], '--preset must be one of 720p30, 1080p30, 1080p60, 4k30, got "8k".'],
    [['--bitrate', '8', '--operators', '1', '--spectators', '1', '--colour', 'red'], "Unknown option '--colour'"],
  ])('bad input %j → exit 2 with a clear message', async (args, message) => {
    const r = await streamcap(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/NaN|Infinity/);
  });

  it('--help exits 0 with the formula', async () => {
    const r = await streamcap('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('total = bitrate × (operators + spectators) × (1 + overhead %)');
  });
});
