// Profiles persist with atomic writes: a crash mid-write leaves a file that parses.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileStore } from '../../electron/core/profiles';
import { Core } from '../../electron/core/core';
import { NoGpuSource } from '../../electron/core/gpu/nvidia-reader';
import { sweepTempFiles, writeJsonAtomic } from '../../electron/core/storage';
import { profile, ROOT, sleep, tmpDir, waitFor } from '../helpers';

describe('profile storage', () => {
  it('saves, reloads and deletes profiles; the demo profile is always there', async () => {
    const dir = tmpDir();
    const a = new ProfileStore(dir);
    await a.save(profile({ id: 'showroom', name: 'Showroom' }));
    const b = new ProfileStore(dir);
    expect(b.list().map((p) => p.id)).toEqual(['demo', 'showroom']);
    expect(b.list()[0]!.builtin).toBe(true);
    await b.delete('showroom');
    expect(new ProfileStore(dir).list().map((p) => p.id)).toEqual(['demo']);
    await expect(b.delete('demo')).rejects.toThrow(/built in/);
    await expect(b.save(profile({ id: 'demo' }))).rejects.toThrow(/built in/);
    expect((fs.statSync(path.join(dir, 'profiles.json')).mode & 0o777).toString(8)).toBe('600');
  });

  it('falls back to the backup when profiles.json is damaged, and keeps the damaged file', async () => {
    const dir = tmpDir();
    const s = new ProfileStore(dir);
    await s.save(profile({ id: 'one', name: 'One' }));
    await s.save(profile({ id: 'two', name: 'Two' })); // .bak now holds [one]
    fs.writeFileSync(path.join(dir, 'profiles.json'), '[{"id": "tw'); // torn
    const again = new ProfileStore(dir);
    expect(again.loadProblem).toMatch(/damaged/);
    expect(again.list().map((p) => p.id)).toEqual(['demo', 'one']);
    expect(fs.readdirSync(dir).some((f) => f.startsWith('profiles.json.damaged-'))).toBe(true);
  });

  it('a torn main file with a good backup restores the data, and the next save keeps the backup good', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'profiles.json');
    const s = new ProfileStore(dir);
    for (const id of ['one', 'two', 'three']) await s.save(profile({ id, name: id }));
    // A crash tore the main file (half of it on disk): the backup holds [one, two].
    const whole = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, whole.slice(0, Math.floor(whole.length / 2)));
    const again = new ProfileStore(dir);
    expect(again.loadProblem).toMatch(/damaged/);
    expect(again.list().map((p) => p.id)).toEqual(['demo', 'one', 'two']);
    // Saving now must not copy the torn file over the good backup.
    await again.save(profile({ id: 'four', name: 'four' }));
    expect((JSON.parse(fs.readFileSync(file + '.bak', 'utf8')) as { id: string }[]).map((p) => p.id)).toEqual(['one', 'two']);
    expect(new ProfileStore(dir).list().map((p) => p.id)).toEqual(['demo', 'four', 'one', 'two']);
  });

  it('sweeps the temp files a killed StreamCap left at start, not those of a live process', async () => {
    const dir = tmpDir();
    const dead = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((r) => dead.on('exit', () => r(dead.pid!)));
    fs.mkdirSync(path.join(dir, 'probes'));
    fs.mkdirSync(path.join(dir, 'ledger'));
    const stale = [`profiles.json.${deadPid}.0a1b2c3d.tmp`, `probes/20260101-000000-ab12.json.${deadPid}.deadbeef.tmp`, `ledger/123.json.${deadPid}.tmp`];
    const live = `admission.json.1.0a1b2c3d.tmp`; // pid 1 always runs
    for (const f of [...stale, live, 'notes.tmp']) fs.writeFileSync(path.join(dir, f), '{"half":');
    const core = await Core.create({ dataDir: dir, gpu: new NoGpuSource('test'), autoStart: false, admission: { wilbur: false } });
    try {
      for (const f of stale) expect(fs.existsSync(path.join(dir, f))).toBe(false);
      expect(fs.existsSync(path.join(dir, live))).toBe(true);
      expect(fs.existsSync(path.join(dir, 'notes.tmp'))).toBe(true); // not ours
      expect(sweepTempFiles(path.join(dir, 'missing'))).toEqual([]);
    } finally {
      await core.shutdown();
    }
  });

  it('a kill -9 during a stream of writes never leaves a torn file', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'data.json');
    const script = path.join(dir, 'writer.mts');
    fs.writeFileSync(
      script,
      `import { writeJsonAtomic } from ${JSON.stringify(path.join(ROOT, 'electron/core/storage.ts'))};
       const big = 'x'.repeat(200000);
       for (let k = 0; ; k++) await writeJsonAtomic(${JSON.stringify(file)}, { k, big });`,
    );
    for (let round = 0; round < 5; round++) {
      // One process (node --import tsx), so the kill hits the writer itself.
      const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: 'ignore', cwd: ROOT });
      if (round === 0) await waitFor(() => fs.existsSync(file), 'first write', 20000);
      // The kill's moment is the subject, not a wait: a different point in the stream of writes each round.
      await sleep(200 + round * 97);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { k: number; big: string };
      expect(parsed.big).toHaveLength(200000);
      // The backup is written the same way: whole, and one version behind at most.
      if (fs.existsSync(file + '.bak')) expect((JSON.parse(fs.readFileSync(file + '.bak', 'utf8')) as { big: string }).big).toHaveLength(200000);
    }
  });

  it('reports a full disk clearly and keeps the previous file', async (ctx) => {
    const mnt = tmpDir('sc-full-');
    const { spawnSync } = await import('node:child_process');
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    if (m.status !== 0) {
      console.log(`SKIP full-disk test: cannot mount a small tmpfs here (${String(m.stderr).trim() || 'not root'})`);
      ctx.skip();
    }
    try {
      const file = path.join(mnt, 'profiles.json');
      await writeJsonAtomic(file, { small: true });
      await expect(writeJsonAtomic(file, { big: 'x'.repeat(200 * 1024) })).rejects.toMatchObject({ code: 'disk_full', message: expect.stringMatching(/Disk full.*previous version is unchanged/) });
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ small: true });
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});
