// The renderer's form problems, without a browser: what each form says is wrong with
// which field, from the shared schemas (Bandwidth, planner), the view's own checks
// (Probe), the commands' schemas (Sessions), or the server's issues (Profiles); and that every problem has its
// words in both languages.
import i18next, { type i18n } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBandwidthInput, checkPlanInput } from '../../shared/bandwidth';
import { ApiError, parseCommandInput } from '../../shared/contract';
import { bandwidthProblemKey, byField } from '../../renderer/src/features/bandwidth/form-problems';
import { checkForm, DEFAULT_FORM, probeProblemKey, type Form } from '../../renderer/src/features/probe/probe-form';
import { issuesByField } from '../../renderer/src/features/profiles/profile-form';
import { checkSettings, checkSimulation, parseNum, refusalText, sessionProblemText } from '../../renderer/src/features/sessions/problems';
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

describe('Sessions forms: checked against the commands’ schemas, by field, in the UI’s language', () => {
  /** A problem's words in `lng`, failing where a key has no words. */
  const words = (lng: 'en' | 'zh-CN', p: Parameters<typeof sessionProblemText>[0]) => {
    const w = sessionProblemText(p);
    return 'text' in w ? w.text : say(lng, w.key, 'params' in w ? w.params : undefined);
  };

  it('each bad setting gets its problem from the schema, with its bound and whether the bound is allowed', () => {
    const r = checkSettings({ seatsFrom: 'manual', seats: '2.5', spectatorsPerInstance: '5000', uplinkMbps: '0', heartbeatTimeoutSec: '1' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.form).toBeNull();
    const f = r.problems.fields;
    expect(Object.keys(f).sort()).toEqual(['heartbeatTimeoutSec', 'seats', 'spectatorsPerInstance', 'uplinkMbps']);
    expect(words('en', f.seats!)).toBe('Enter a whole number.');
    expect(words('en', f.spectatorsPerInstance!)).toBe('At most 1000.');
    expect(words('en', f.uplinkMbps!)).toBe('Must be more than 0.');
    expect(words('en', f.heartbeatTimeoutSec!)).toBe('At least 2.');
    expect(words('zh-CN', f.heartbeatTimeoutSec!)).toBe('不能小于 2。');
  });

  it('a text where a number belongs, and a rule’s own words for a template', () => {
    const r = checkSettings({ seats: 'four', linkTemplate: 'http://render-01:{8080+q}/' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(words('en', r.problems.fields.seats!)).toBe('Enter a number.');
    expect(words('en', r.problems.fields.linkTemplate!)).toMatch(/Unknown placeholder "q"/);
  });

  it('good edits become the patch the command takes: numbers as numbers (a comma decimal read), texts trimmed', () => {
    const r = checkSettings({ bitrateMbps: ' 2,5 ', seats: '3', seatsFrom: 'manual', wilburUrl: ' http://127.0.0.1:8081 ' });
    expect(r).toEqual({ ok: true, patch: { bitrateMbps: 2.5, seats: 3, seatsFrom: 'manual', wilburUrl: 'http://127.0.0.1:8081' } });
    // What the form sends, the server takes.
    expect(() => parseCommandInput('admission.set', r.ok ? r.patch : null)).not.toThrow();
  });

  it('the simulator: the share typed in % and sent as a fraction, its bounds said in %', () => {
    expect(checkSimulation({ rate: '30', mean: '60', share: '25' }, true)).toEqual({ ok: true, payload: { running: true, arrivalsPerMin: 30, meanSessionSec: 60, operateShare: 0.25 } });
    const r = checkSimulation({ rate: 'lots', mean: '', share: '150' }, true);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.problems.fields).sort()).toEqual(['mean', 'rate', 'share']);
    expect(words('en', r.problems.fields.rate!)).toBe('Enter a number.');
    expect(words('en', r.problems.fields.mean!)).toBe('Enter a number.');
    expect(words('en', r.problems.fields.share!)).toBe('At most 100.');
  });

  it('a refusal for another reason is the form’s, in the server’s words', () => {
    expect(refusalText(new CommandError('invalid_payload', 'Not applied:', ['seats follow the instances']))).toBe('Not applied: seats follow the instances');
    expect(refusalText(new Error('StreamCap is shutting down.'))).toBe('StreamCap is shutting down.');
  });

  it('every problem has words in both languages', () => {
    const kinds = [
      { field: 'x', kind: 'required' },
      { field: 'x', kind: 'notNumber' },
      { field: 'x', kind: 'notInteger' },
      { field: 'x', kind: 'tooSmall', limit: 2 },
      { field: 'x', kind: 'tooSmall', limit: 0, inclusive: false },
      { field: 'x', kind: 'tooBig', limit: 9 },
      { field: 'x', kind: 'tooBig', limit: 9, inclusive: false },
      { field: 'x', kind: 'unknown' },
      { field: 'x', kind: 'invalid' },
    ] as const;
    for (const p of kinds) for (const lng of ['en', 'zh-CN'] as const) expect(words(lng, p)).not.toBe('');
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
