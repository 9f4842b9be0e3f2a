// The Probe view's settings form, checked as typed: which field is wrong and why, and
// the probe.start payload once nothing is. The rules are probe.start's own schemas
// (shared/probe), checked through shared/form-problems; no bound is written here.
// Pure (no React), so unit tests read it directly.
import { z } from 'zod';
import { checkAgainst, textToNumber, type FieldProblem } from '../../../../shared/form-problems';
import { DEFAULT_THRESHOLDS, ProbeSettingsSchema, ThresholdsSchema } from '../../../../shared/probe';

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

const DEFAULTS = ProbeSettingsSchema.parse({});

/** The form a first probe starts from: the settings' own defaults (the field's 85 % rule, one settle window of 10 s). */
export const DEFAULT_FORM: Form = {
  profileId: 'demo',
  cpu: String(DEFAULT_THRESHOLDS.cpu),
  gpu: String(DEFAULT_THRESHOLDS.gpu),
  gpuMemory: String(DEFAULT_THRESHOLDS.gpuMemory),
  memory: String(DEFAULT_THRESHOLDS.memory),
  encoder: String(DEFAULT_THRESHOLDS.encoder),
  sessions: DEFAULT_THRESHOLDS.encoderSessions === null ? '' : String(DEFAULT_THRESHOLDS.encoderSessions),
  warmup: String(DEFAULTS.warmupSec),
  settle: String(DEFAULTS.settleSec),
  max: String(DEFAULTS.maxInstances),
  strategy: DEFAULTS.strategy,
  basis: DEFAULTS.cpuBasis,
  leaveRunning: DEFAULTS.leaveRunning,
};

/** What is wrong with a field: not a number, not whole, or outside MIN..MAX. */
export type Problem = 'number' | 'integer' | `range:${number}:${number}`;
export type Problems = Partial<Record<keyof Form, Problem>>;

/**
 * The form's number fields and the rule each must keep, taken from probe.start's own
 * schemas (a default is unwrapped: the form shows every value, so an empty field is a
 * problem here rather than a silent default).
 */
const settings = ProbeSettingsSchema.shape;
const RULES = {
  cpu: ThresholdsSchema.shape.cpu,
  gpu: ThresholdsSchema.shape.gpu,
  gpuMemory: ThresholdsSchema.shape.gpuMemory,
  memory: ThresholdsSchema.shape.memory,
  encoder: ThresholdsSchema.shape.encoder,
  sessions: ThresholdsSchema.shape.encoderSessions,
  warmup: settings.warmupSec.unwrap(),
  settle: settings.settleSec.unwrap(),
  max: settings.maxInstances.unwrap(),
} satisfies Partial<Record<keyof Form, z.ZodType>>;
type NumberField = keyof typeof RULES;
const FormSchema = z.object(RULES);

/** A rule's bounds, read from the schema (a nullable rule: the number inside). */
function bounds(k: NumberField): { min: number; max: number } {
  const rule = RULES[k];
  const n = rule instanceof z.ZodNullable ? (rule.unwrap() as z.ZodNumber) : rule;
  return { min: n.minValue ?? -Infinity, max: n.maxValue ?? Infinity };
}

function toProblem(k: NumberField, p: FieldProblem): Problem {
  if (p.kind === 'notInteger') return 'integer';
  if (p.kind === 'tooSmall' || p.kind === 'tooBig') {
    const { min, max } = bounds(k);
    return `range:${min}:${max}`;
  }
  return 'number';
}

export function checkForm(f: Form): { problems: Problems; payload: Record<string, unknown> | null } {
  // Text a person typed as a number: '' is "not given" (null for the sessions limit, which may be left empty).
  const raw: Record<string, unknown> = {};
  for (const k of Object.keys(RULES) as NumberField[]) raw[k] = textToNumber(f[k]) ?? (k === 'sessions' ? null : f[k]);
  const r = checkAgainst(FormSchema, raw);
  if (!r.ok) {
    const problems: Problems = {};
    for (const p of r.problems) problems[p.field as NumberField] = toProblem(p.field as NumberField, p);
    return { problems, payload: null };
  }
  const v = r.value;
  const payload = {
    profileId: f.profileId,
    thresholds: { cpu: v.cpu, gpu: v.gpu, gpuMemory: v.gpuMemory, memory: v.memory, encoder: v.encoder, encoderSessions: v.sessions },
    warmupSec: v.warmup,
    settleSec: v.settle,
    maxInstances: v.max,
    strategy: f.strategy,
    cpuBasis: f.basis,
    leaveRunning: f.leaveRunning,
  };
  return { problems: {}, payload };
}

/** The translation key of a problem and its parameters ('range:1:100' → probe.problem.range, { min: '1', max: '100' }). */
export function probeProblemKey(problem: Problem): { key: 'probe.problem.number' | 'probe.problem.integer' | 'probe.problem.range'; params?: { min: string; max: string } } {
  if (problem === 'number' || problem === 'integer') return { key: `probe.problem.${problem}` };
  const [, min, max] = problem.split(':');
  return { key: 'probe.problem.range', params: { min: min!, max: max! } };
}
