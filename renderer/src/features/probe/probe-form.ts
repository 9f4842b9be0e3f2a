// The Probe view's settings form, checked as typed: which field is wrong and why, and
// the probe.start payload once nothing is. Pure (no React), so unit tests read it directly.

export interface Form {
  profileId: string;
  cpu: string;
  gpu: string;
  gpuMemory: string;
  memory: string;
  encoder: string;
  sessions: string;
  warmup: string;
  settle: string;
  max: string;
  strategy: 'smart' | 'linear';
  basis: 'machine' | 'app';
  leaveRunning: boolean;
}

/** The form a first probe starts from (the field's 85 % rule, one settle window of 10 s). */
export const DEFAULT_FORM: Form = {
  profileId: 'demo',
  cpu: '85',
  gpu: '85',
  gpuMemory: '90',
  memory: '90',
  encoder: '85',
  sessions: '',
  warmup: '20',
  settle: '10',
  max: '16',
  strategy: 'smart',
  basis: 'machine',
  leaveRunning: false,
};

/** What is wrong with a field: not a number, not whole, or outside MIN..MAX. */
export type Problem = 'number' | 'integer' | `range:${number}:${number}`;
export type Problems = Partial<Record<keyof Form, Problem>>;

export function checkForm(f: Form): { problems: Problems; payload: Record<string, unknown> | null } {
  const problems: Problems = {};
  const n = (k: keyof Form, min: number, max: number, integer = false): number => {
    const raw = String(f[k]).trim();
    const v = Number(raw);
    if (raw === '' || !Number.isFinite(v)) problems[k] = 'number';
    else if (integer && !Number.isInteger(v)) problems[k] = 'integer';
    else if (v < min || v > max) problems[k] = `range:${min}:${max}`;
    return v;
  };
  const thresholds = { cpu: n('cpu', 1, 100), gpu: n('gpu', 1, 100), gpuMemory: n('gpuMemory', 1, 100), memory: n('memory', 1, 100), encoder: n('encoder', 1, 100) };
  const sessions = f.sessions.trim() === '' ? null : n('sessions', 1, 1000, true);
  const payload = {
    profileId: f.profileId,
    thresholds: { ...thresholds, encoderSessions: sessions },
    warmupSec: n('warmup', 0, 3600),
    settleSec: n('settle', 0.5, 3600),
    maxInstances: n('max', 1, 64, true),
    strategy: f.strategy,
    cpuBasis: f.basis,
    leaveRunning: f.leaveRunning,
  };
  return { problems, payload: Object.keys(problems).length ? null : payload };
}

/** The translation key of a problem and its parameters ('range:1:100' → probe.problem.range, { min: '1', max: '100' }). */
export function probeProblemKey(problem: Problem): { key: 'probe.problem.number' | 'probe.problem.integer' | 'probe.problem.range'; params?: { min: string; max: string } } {
  if (problem === 'number' || problem === 'integer') return { key: `probe.problem.${problem}` };
  const [, min, max] = problem.split(':');
  return { key: 'probe.problem.range', params: { min: min!, max: max! } };
}
