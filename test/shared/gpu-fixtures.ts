// Reads the real recorded GPU tool outputs in test/fixtures/gpu (see SOURCES.md there).
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers';

export const GPU_FIXTURES = path.join(ROOT, 'test/fixtures/gpu');
export const fixture = (name: string) => fs.readFileSync(path.join(GPU_FIXTURES, name), 'utf8');
export const fixturesStartingWith = (prefix: string) =>
  fs
    .readdirSync(GPU_FIXTURES)
    .filter((f) => f.startsWith(prefix))
    .sort();
