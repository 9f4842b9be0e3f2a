// scripts/gpu-check.sh records what the readers ask nvidia-smi for: the same fields.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUERY_GPU_FIELDS, QUERY_GPU_FIELDS_BASIC } from '../../shared/gpu/nvidia-smi';
import { ROOT } from '../helpers';

const SCRIPT = path.join(ROOT, 'scripts/gpu-check.sh');

describe('scripts/gpu-check.sh', () => {
  const text = fs.readFileSync(SCRIPT, 'utf8');
  const assigned = (name: string) => new RegExp(`^${name}=(\\S+)$`, 'm').exec(text)?.[1];

  it('asks for exactly the sampler’s query-gpu fields, and the fallback ones', () => {
    expect(assigned('FIELDS')).toBe(QUERY_GPU_FIELDS.join(','));
    expect(assigned('BASIC')).toBe(QUERY_GPU_FIELDS_BASIC.join(','));
  });

  it('records pmon as the reader runs it (-s um), bounded with -c', () => {
    expect(text).toContain('nvidia-smi pmon -s um -d 1 -c 5');
  });

  it('is valid bash', () => {
    execFileSync('bash', ['-n', SCRIPT]);
  });
});
