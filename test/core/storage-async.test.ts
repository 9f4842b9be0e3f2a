// readJsonWithBackupAsync answers as readJsonWithBackup does, for every state a file and its .bak can be in.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonWithBackup, readJsonWithBackupAsync } from '../../electron/core/storage';
import { tmpDir } from '../helpers';

const GOOD = '{"v":1}';
const TORN = '{"v":';
const cases: [string, string | null, string | null][] = [
  ['neither', null, null],
  ['main good', GOOD, null],
  ['main good, .bak torn', GOOD, TORN],
  ['main missing, .bak good', null, '{"v":0}'],
  ['main missing, .bak torn', null, TORN],
  ['main torn, .bak good', TORN, '{"v":0}'],
  ['main torn, no .bak', TORN, null],
  ['both torn', TORN, TORN],
];

describe('readJsonWithBackupAsync', () => {
  it.each(cases)('%s: the same answer as the sync reader', async (_name, main, bak) => {
    const file = path.join(tmpDir(), 'x.json');
    if (main !== null) fs.writeFileSync(file, main);
    if (bak !== null) fs.writeFileSync(file + '.bak', bak);
    expect(await readJsonWithBackupAsync(file)).toEqual(readJsonWithBackup(file));
  });
});
