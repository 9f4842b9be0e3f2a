// The machine-wide figures: rates are counters over the interval between two readings,
// on one clock. Writes 64 MB to the data folder's disk (fsync'd) between two readings
// and expects the write rate to show them.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProcSystemReader } from '../../electron/core/system-reader';
import { tmpDir } from '../helpers';

describe('ProcSystemReader', () => {
  it.runIf(process.platform === 'linux')('a disk write between two readings shows in the write rate (MB/s over the real interval)', () => {
    const dir = tmpDir();
    const reader = new ProcSystemReader(dir);
    reader.read(Date.now());
    const t0 = performance.now();
    const fd = fs.openSync(path.join(dir, 'load.bin'), 'w');
    const chunk = Buffer.alloc(1 << 20, 7);
    for (let k = 0; k < 64; k++) fs.writeSync(fd, chunk);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    const sec = (performance.now() - t0) / 1000;
    const s = reader.read(Date.now());
    if (!s.disk.ok) throw new Error(`disk figures not read here: ${s.disk.reason}`);
    // At least a quarter of what was written, over at most the time the writing took (plus the reads around it).
    expect(s.disk.value.writeMBps).toBeGreaterThan(64 / 4 / (sec + 1));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
