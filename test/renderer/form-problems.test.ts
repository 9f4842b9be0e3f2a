// The renderer's form problems, without a browser: what each form says is wrong with
// which field, from the shared schemas (Bandwidth, planner), the view's own checks
// (Probe), or the server's issues (Sessions, Profiles); and that every problem has its
// words in both languages.
import i18next, { type i18n } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBandwidthInput, checkPlanInput } from '../../shared/bandwidth';
import { ApiError, parseCommandInput } from '../../shared/contract';
import { bandwidthProblemKey, byField } from '../../renderer/src/features/bandwidth/form-problems';
import { checkForm, DEFAULT_FORM, probeProblemKey, type Form } from '../../renderer/src/features/probe/probe-form';
import { issuesByField } from '../../renderer/src/features/profiles/profile-form';
import { issueKey, parseNum, problemsOf } from '../../renderer/src/features/sessions/problems';
import { en } from '../../renderer/src/i18n/en';
import { zhCN } from '../../renderer/src/i18n/zh-CN';
import { CommandError } from '../../renderer/src/transport/types';

const langs: Record<string, i18n> = {};
beforeAll(async () => {
  for (const [lng, dict] of [
    ['en', en],
    ['zh-CN', zhCN],
  ] as const) {
    const t = i18next.createInstance();
    await t.init({ lng, resources: { [lng]: { translation: dict } }, interpolation: { escapeValue: false } });
    langs[lng] = t;
  }
});
/** The text in `lng`; fails the test when the dictionary has no such key (i18next would show the key). */
function say(lng: 'en' | 'zh-CN', key: string, params?: Record<string, unknown>): string {
  const t = langs[lng]!;
  expect(t.exists(key), `${lng} has ${key}`).toBe(true);
  return t.t(key, params) as string;
}

/** The server's answer to an invalid command, as the renderer's transport hands it on. */
function refusal(name: 'admission.set' | 'admission.simulate' | 'profiles.save', payload: unknown): CommandError {
  try {
    parseCommandInput(name, payload);
  } catch (e) {
    if (e instanceof ApiError) return new CommandError(e.code, e.message, e.issues ?? []);
    throw e;
  }
  throw new Error(`${name} accepted ${JSON.stringify(payload)}`);
}

describe('Bandwidth and planner forms: problems from the shared schemas, per field', () => {
  const calc = { bitrateMbps: '8', operators: '10', spectators: '20', overheadPercent: '0', uplinkMbps: '1000', headroomPercent: '0', sfu: false };

  it('a valid form has no problems', () => {
    expect(checkBandwidthInput(calc)).toMatchObject({ ok: true });
  });

  it('each bad field gets its one problem, worded with its bound', () => {
    const r = checkBandwidthInput({ ...calc, bitrateMbps: 'eight', operators: '2.5', spectators: '-1', uplinkMbps: '-5' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const f = byField(r.problems);
    expect(Object.keys(f).sort()).toEqual(['bitrateMbps', 'operators', 'spectators', 'uplinkMbps']);
    expect(f.bitrateMbps).toMatchObject({ kind: 'notNumber' });
    expect(f.operators).toMatchObject({ kind: 'notInteger' });
    expect(f.spectators).toMatchObject({ kind: 'tooSmall', limit: 0 });
    expect(f.uplinkMbps).toMatchObject({ kind: 'tooSmall' });
    expect(bandwidthProblemKey(f.spectators!)).toEqual({ key: 'bw.problem.negative', limit: 0 });
    expect(say('en', bandwidthProblemKey(f.bitrateMbps!).key)).toBe('Enter a number, e.g. 8 or 2.5.');
    expect(say('en', bandwidthProblemKey(f.spectators!).key)).toBe('Cannot be negative.');
  });

  it('an empty required field says so; an empty optional one is no problem', () => {
    const r = checkBandwidthInput({ ...calc, bitrateMbps: '', overheadPercent: '' });
    expect(!r.ok && r.problems).toEqual([{ field: 'bitrateMbps', kind: 'required' }]);
    expect(say('en', bandwidthProblemKey({ field: 'bitrateMbps', kind: 'required' }).key)).toBe('Required.');
  });

  it('a bound other than 0 is named: at least / at most', () => {
    expect(bandwidthProblemKey({ field: 'x', kind: 'tooSmall', limit: 1 })).toEqual({ key: 'bw.problem.tooSmall', limit: 1 });
    expect(bandwidthProblemKey({ field: 'x', kind: 'tooBig', limit: 100 })).toEqual({ key: 'bw.problem.tooBig', limit: 100 });
    expect(say('en', 'bw.problem.tooBig', { limit: '100' })).toBe('Must be at most 100.');
  });

  it('the planner: an unknown field is named, not dropped', () => {
    const r = checkPlanInput({ peakAudience: '200', operatingPercent: '30', streamsPerServer: '10', bitrateMbps: '8', overheadPercent: '0', headroomPercent: '0', sfu: false, extra: '1' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(byField(r.problems).extra).toEqual({ field: 'extra', kind: 'unknown' });
  });

  it('every kind of problem has words in both languages', () => {
    for (const kind of ['required', 'notNumber', 'notInteger', 'tooSmall', 'tooBig', 'unknown', 'invalid'] as const) {
      for (const limit of [0, 5]) {
        const { key } = bandwidthProblemKey({ field: 'x', kind, limit });
        for (const lng of ['en', 'zh-CN'] as const) expect(say(lng, key, { limit: '5' })).not.toBe('');
      }
    }
  });
});

describe('Probe form: checked as typed, a payload only when nothing is wrong', () => {
  const valid: Form = DEFAULT_FORM;

  it('the defaults give the probe.start payload, numbers as numbers; no sessions limit is null', () => {
    const { problems, payload } = checkForm(valid);
    expect(problems).toEqual({});
    expect(payload).toEqual({
      profileId: 'demo',
      thresholds: { cpu: 85, gpu: 85, gpuMemory: 90, memory: 90, encoder: 85, encoderSessions: null },
      warmupSec: 20,
      settleSec: 10,
      maxInstances: 16,
      strategy: 'smart',
      cpuBasis: 'machine',
      leaveRunning: false,
    });
    expect(parseCommandInput('probe.start', payload)).toMatchObject({ profileId: 'demo', maxInstances: 16 });
  });

  it('out of range, not a number, not whole: each field says which; no payload', () => {
    const { problems, payload } = checkForm({ ...valid, cpu: '120', gpu: ' ', settle: '0.1', max: '2.5', sessions: 'many' });
    expect(payload).toBeNull();
    expect(problems).toEqual({ cpu: 'range:1:100', gpu: 'number', settle: 'range:0.5:3600', max: 'integer', sessions: 'number' });
    expect(say('en', probeProblemKey(problems.cpu!).key, probeProblemKey(problems.cpu!).params)).toBe('Between 1 and 100.'); // what the e2e test reads
    expect(say('en', probeProblemKey(problems.max!).key)).toBe('Enter a whole number.');
  });

  it('the bounds are inclusive', () => {
    expect(checkForm({ ...valid, cpu: '1', gpu: '100', warmup: '0', settle: '0.5', max: '64', sessions: '1000' }).problems).toEqual({});
    expect(checkForm({ ...valid, max: '65', sessions: '0' }).problems).toEqual({ max: 'range:1:64', sessions: 'range:1:1000' });
  });

  it('every problem has words in both languages', () => {
    for (const p of ['number', 'integer', 'range:1:100'] as const) {
      const { key, params } = probeProblemKey(p);
      for (const lng of ['en', 'zh-CN'] as const) expect(say(lng, key, params)).not.toBe('');
    }
  });
});

describe('Sessions forms: the server’s issues, by field, in the UI’s language', () => {
  const KNOWN = ['seats', 'spectatorsPerInstance', 'uplinkMbps', 'heartbeatTimeoutSec'];

  it('the server’s real issues go to their fields, and zod’s messages become translation keys', () => {
    const e = refusal('admission.set', { seats: 2.5, spectatorsPerInstance: 5000, uplinkMbps: 0, heartbeatTimeoutSec: 1 });
    const p = problemsOf(e, KNOWN);
    expect(p.form).toBeNull();
    expect(Object.keys(p.fields).sort()).toEqual([...KNOWN].sort());
    // The regexes match what zod says today: if its wording changes, this fails (not the UI, silently).
    expect(issueKey(p.fields.seats!)).toEqual({ key: 'sess.problem.integer' });
    expect(issueKey(p.fields.spectatorsPerInstance!)).toEqual({ key: 'sess.problem.tooBig', params: { limit: '1000' } });
    expect(issueKey(p.fields.uplinkMbps!)).toEqual({ key: 'sess.problem.above', params: { limit: '0' } });
    expect(issueKey(p.fields.heartbeatTimeoutSec!)).toEqual({ key: 'sess.problem.tooSmall', params: { limit: '2' } });
    expect(say('en', 'sess.problem.tooSmall', { limit: '2' })).toBe('At least 2.');
  });

  it('a text where a number belongs', () => {
    const p = problemsOf(refusal('admission.set', { seats: 'four' }), KNOWN);
    expect(issueKey(p.fields.seats!)).toEqual({ key: 'sess.problem.number' });
  });

  it('what names no known field goes to the form; another message is shown as it came', () => {
    const p = problemsOf(refusal('admission.set', { seats: 1, nonsense: true }), KNOWN);
    expect(p.fields).toEqual({});
    expect(p.form).toMatch(/nonsense/);
    expect(issueKey('Something else entirely')).toBeNull();
  });

  it('an error without issues is the form’s problem, in its own words', () => {
    expect(problemsOf(new Error('StreamCap is shutting down.'), KNOWN)).toEqual({ fields: {}, form: 'StreamCap is shutting down.' });
  });

  it('two issues of one field are joined', () => {
    const e = new CommandError('invalid_payload', 'x', ['seats: first', 'seats.0: second']);
    expect(problemsOf(e, KNOWN).fields).toEqual({ seats: 'first; second' });
  });

  it('every key it gives has words in both languages', () => {
    for (const msg of [
      'Too big: expected number to be <=1000',
      'Too small: expected number to be >0',
      'Too small: expected number to be >=2',
      'Invalid input: expected int, received number',
      'Invalid input: expected number, received string',
    ]) {
      const k = issueKey(msg);
      expect(k, msg).not.toBeNull();
      for (const lng of ['en', 'zh-CN'] as const) expect(say(lng, k!.key, k!.params)).not.toBe('');
    }
  });

  it('numbers typed as text: a comma decimal is read, anything else is null', () => {
    expect(parseNum(' 2,5 ')).toBe(2.5);
    expect(parseNum('10')).toBe(10);
    expect(parseNum('')).toBeNull();
    expect(parseNum('ten')).toBeNull();
    expect(parseNum('Infinity')).toBeNull();
  });
});

describe('Profile editor: the server’s issues, one field each', () => {
  it('an argument’s index and a stream setting’s name stay with their field', () => {
    const e = refusal('profiles.save', { id: 'p', name: '', exe: '', args: ['ok', 7] });
    const f = issuesByField(e.issues);
    expect(Object.keys(f).sort()).toEqual(['args', 'exe', 'name']);
    expect(f.args).toMatch(/^args\.1: /);
    expect(issuesByField(['stream.signallingUrl: bad', 'stream.signallingUrl: worse', 'stream.viewers: no'])).toEqual({
      'stream.signallingUrl': 'stream.signallingUrl: bad; stream.signallingUrl: worse',
      'stream.viewers': 'stream.viewers: no',
    });
  });
});
