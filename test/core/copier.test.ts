// Copy per instance: complete copies only, reuse when unchanged, disk check first.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureInstanceCopy, instanceCopyDir, mapIntoCopy } from '../../electron/core/copier';
import { Core } from '../../electron/core/core';
import { NoGpuSource } from '../../electron/core/gpu/nvidia-reader';
import { CPU_LOAD, profile, tmpDir, waitFor } from '../helpers';
import { internals } from '../core-internals';

function makeApp(dir: string, files = 20, size = 50_000): void {
  fs.mkdirSync(path.join(dir, 'Game/Binaries/Win64'), { recursive: true });
  for (let k = 0; k < files; k++) fs.writeFileSync(path.join(dir, 'Game', `pak${k}.pak`), Buffer.alloc(size, k));
  fs.copyFileSync(CPU_LOAD, path.join(dir, 'Game/Binaries/Win64/game.mjs'));
}

let core: Core | null = null;
afterEach(async () => {
  await core?.shutdown();
  core = null;
});

describe('copy per instance', () => {
  it('copies with progress, then reuses an unchanged copy', async () => {
    const src = tmpDir();
    const dst = tmpDir();
    makeApp(src);
    const progress: number[] = [];
    const first = await ensureInstanceCopy(src, dst, 1, (d, t) => progress.push(d / t));
    expect(first.reused).toBe(false);
    expect(progress[progress.length - 1]).toBe(1);
    expect(fs.readFileSync(path.join(first.dir, 'Game/pak7.pak'))).toEqual(fs.readFileSync(path.join(src, 'Game/pak7.pak')));
    const second = await ensureInstanceCopy(src, dst, 1, () => undefined);
    expect(second.reused).toBe(true);
    // A changed source makes a fresh copy.
    fs.writeFileSync(path.join(src, 'Game/pak3.pak'), 'changed');
    const third = await ensureInstanceCopy(src, dst, 1, () => undefined);
    expect(third.reused).toBe(false);
    expect(fs.readFileSync(path.join(third.dir, 'Game/pak3.pak'), 'utf8')).toBe('changed');
  });

  it('never takes a half-copied folder for a complete one', async () => {
    const src = tmpDir();
    const dst = tmpDir();
    makeApp(src);
    // Simulate an interrupted earlier copy: the folder exists but has no completion marker.
    const dir = instanceCopyDir(dst, 1);
    fs.mkdirSync(path.join(dir, 'Game'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'Game/pak0.pak'), 'torn');
    fs.mkdirSync(path.join(dst, 'instance-1.partial-deadbeef'));
    const r = await ensureInstanceCopy(src, dst, 1, () => undefined);
    expect(r.reused).toBe(false);
    expect(fs.statSync(path.join(dir, 'Game/pak0.pak')).size).toBe(50_000);
    expect(fs.readdirSync(dst)).toEqual(['instance-1']);
  });

  it('checks free disk space before copying', async (ctx) => {
    const src = tmpDir();
    makeApp(src, 10, 100_000); // 1 MB
    const mnt = tmpDir('sc-small-');
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mnt]);
    if (m.status !== 0) {
      console.log(`SKIP free-disk check: cannot mount a small tmpfs here (${String(m.stderr).trim() || 'not root'})`);
      ctx.skip();
    }
    try {
      await expect(ensureInstanceCopy(src, mnt, 1, () => undefined)).rejects.toMatchObject({ code: 'disk_full', message: expect.stringMatching(/Not enough disk space for the copy of instance 1/) });
      expect(fs.readdirSync(mnt)).toEqual([]);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });

  it('maps paths into the copy', () => {
    expect(mapIntoCopy('/apps/game/Game.exe', '/apps/game', '/copies/instance-2')).toBe('/copies/instance-2/Game.exe');
    expect(mapIntoCopy('/elsewhere/tool', '/apps/game', '/copies/instance-2')).toBe('/elsewhere/tool');
    expect(mapIntoCopy('', '/apps/game', '/copies/instance-2')).toBe('/copies/instance-2');
  });

  it('an instance stopped while its copy is being made stays stopped', async () => {
    const src = tmpDir();
    const dst = tmpDir();
    makeApp(src, 200, 200_000); // 40 MB: long enough to stop it mid-copy
    core = await Core.create({ dataDir: tmpDir(), gpu: new NoGpuSource('test'), sampleIntervalMs: 1000 });
    const p = profile({ args: [path.join(src, 'Game/Binaries/Win64/game.mjs'), '--load', '1'], copy: { enabled: true, sourceDir: src, targetDir: dst } });
    const { ids, started } = internals(core).supervisor.launch(p, 1, 0);
    await waitFor(
      () =>
        internals(core!)
          .supervisor.list()
          .find((i) => i.id === ids[0] && i.state === 'copying'),
      'copying',
    );
    await internals(core).supervisor.stop(ids[0]!);
    await started;
    const info = internals(core)
      .supervisor.list()
      .find((i) => i.id === ids[0])!;
    expect(info.state).toBe('stopped');
    expect(info.pid).toBeNull();
  });

  it('launches each instance from its own copy', async () => {
    const src = tmpDir();
    const dst = tmpDir();
    makeApp(src, 3, 1000);
    core = await Core.create({ dataDir: tmpDir(), gpu: new NoGpuSource('test'), sampleIntervalMs: 1000 });
    const p = profile({ args: [path.join(src, 'Game/Binaries/Win64/game.mjs'), '--load', '1'], cwd: src, copy: { enabled: true, sourceDir: src, targetDir: dst } });
    const { ids } = internals(core).supervisor.launch(p, 2, 0);
    for (const [k, id] of ids.entries()) {
      const info = await waitFor(
        () =>
          internals(core!)
            .supervisor.list()
            .find((i) => i.id === id && i.state === 'running'),
        'running',
      );
      expect(info.cwd).toBe(instanceCopyDir(dst, k + 1));
    }
    expect(fs.readdirSync(dst).sort()).toEqual(['instance-1', 'instance-2']);
  });
});
