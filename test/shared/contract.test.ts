import { describe, expect, it } from 'vitest';
import { ApiError, parseCommandInput, ProfileSchema } from '../../shared/contract';

describe('profile schema', () => {
  const base = { id: 'showroom', name: 'Showroom', exe: 'C:\\Apps\\Showroom.exe', args: ['-PixelStreamingID=stream{n}'] };
  it('fills defaults', () => {
    const p = ProfileSchema.parse(base);
    expect(p).toMatchObject({ cwd: '', env: {}, staggerSec: 2, gpuPinning: false, autoRestart: { enabled: false, maxRetries: 3 } });
  });
  it.each([
    [{ ...base, id: 'Bad Id' }, 'id'],
    [{ ...base, name: '  ' }, 'name'],
    [{ ...base, exe: '' }, 'exe'],
    [{ ...base, args: ['{bogus}'] }, 'args.0'],
    [{ ...base, staggerSec: -1 }, 'staggerSec'],
    [{ ...base, env: { 'BAD KEY': 'x' } }, 'env'],
    [{ ...base, autoRestart: { enabled: true, maxRetries: 0 } }, 'autoRestart.maxRetries'],
    [{ ...base, copy: { enabled: true, sourceDir: '', targetDir: '' } }, 'copy'],
    [{ ...base, surprise: 1 }, ''],
  ])('rejects %j at %s', (input, path) => {
    const r = ProfileSchema.safeParse(input);
    expect(r.success).toBe(false);
    if (!r.success && path) expect(r.error.issues.map((i) => i.path.join('.')).some((p) => p === path || p.startsWith(path + '.'))).toBe(true);
  });
});

describe('command payloads', () => {
  it('lists every problem in one ApiError', () => {
    try {
      parseCommandInput('instances.launch', { profileId: '', count: 0, extra: true });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).code).toBe('invalid_payload');
      expect((e as ApiError).issues!.length).toBeGreaterThanOrEqual(3);
    }
  });
  it('accepts a missing payload for commands without input', () => {
    expect(parseCommandInput('instances.list', undefined)).toEqual({});
  });
});
