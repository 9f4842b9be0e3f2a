// What is wrong with the Sessions view's forms, by field: each form is checked against
// the schema its command takes (shared/admission-rules) before it is sent, and zod's
// structured issues become translation keys (shared/form-problems); a refusal the
// server gives for another reason (e.g. seats while they follow the instances) is the
// form's, in the server's words. Pure (no React), so unit tests read them directly.
import { z } from 'zod';
import { AdmissionConfigSchema, AdmissionPatchSchema, SimulationSchema } from '../../../../shared/admission-rules';
import { byField, checkAgainst, textToNumber, type FieldProblem } from '../../../../shared/form-problems';

export interface Problems {
  fields: Record<string, FieldProblem>;
  form: string | null;
}

export const NO_PROBLEMS: Problems = { fields: {}, form: null };

export type ProblemText =
  | { key: 'sess.problem.number' | 'sess.problem.integer' | 'sess.problem.unknown' | 'sess.problem.invalid' }
  | { key: 'sess.problem.tooBig' | 'sess.problem.tooSmall' | 'sess.problem.above' | 'sess.problem.below'; params: { limit: number } }
  | { text: string };

/** The words of a problem: a translation key and its bound, or a rule's own words. */
export function sessionProblemText(p: FieldProblem): ProblemText {
  switch (p.kind) {
    case 'required':
    case 'notNumber':
      return { key: 'sess.problem.number' };
    case 'notInteger':
      return { key: 'sess.problem.integer' };
    case 'tooSmall':
      return { key: p.inclusive === false ? 'sess.problem.above' : 'sess.problem.tooSmall', params: { limit: p.limit ?? 0 } };
    case 'tooBig':
      return { key: p.inclusive === false ? 'sess.problem.below' : 'sess.problem.tooBig', params: { limit: p.limit ?? 0 } };
    case 'unknown':
      return { key: 'sess.problem.unknown' };
    case 'invalid':
      return p.message ? { text: p.message } : { key: 'sess.problem.invalid' };
  }
}

/** A number typed as text (a decimal comma read as a point): the value, or null when it is not a number. */
export function parseNum(text: string): number | null {
  const v = textToNumber(text.replace(',', '.'));
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A field's text as the command's value: a number where the field holds one (the text itself where it is not, so the schema says "not a number"). */
const asValue = (text: string, numeric: boolean): unknown => (numeric ? (parseNum(text) ?? text) : text.trim());

/**
 * The settings form's edits (field → text) as an `admission.set` patch, or what is
 * wrong with each field. Which fields hold numbers comes from the schema.
 */
export function checkSettings(draft: Readonly<Record<string, string>>): { ok: true; patch: Record<string, unknown> } | { ok: false; problems: Problems } {
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(draft)) raw[k] = asValue(v, NUMBER_FIELDS.has(k));
  const r = checkAgainst(AdmissionPatchSchema, raw);
  return r.ok ? { ok: true, patch: raw } : { ok: false, problems: { fields: byField(r.problems), form: null } };
}

/** The settings that hold numbers, read once from the schema. */
const NUMBER_FIELDS: ReadonlySet<string> = new Set(Object.entries(AdmissionConfigSchema.shape).flatMap(([k, s]) => (s instanceof z.ZodNumber ? [k] : [])));

/** The simulator form sends every field (the command leaves them out to keep the current value). */
const SimulationRequestSchema = SimulationSchema.required();
type SimulationRequest = z.output<typeof SimulationRequestSchema>;

export type SimKey = 'rate' | 'mean' | 'share';
const SIM_FIELD: Record<string, SimKey> = { arrivalsPerMin: 'rate', meanSessionSec: 'mean', operateShare: 'share' };

/**
 * The simulator form (arrivals a minute, mean stay in seconds, share who operate in %)
 * as an `admission.simulate` payload, or what is wrong with each field. The share is
 * typed in % and sent as a fraction: its bounds are said in % too.
 */
export function checkSimulation(form: Readonly<Record<SimKey, string>>, running: boolean): { ok: true; payload: SimulationRequest } | { ok: false; problems: Problems } {
  const share = parseNum(form.share);
  const raw = { running, arrivalsPerMin: asValue(form.rate, true), meanSessionSec: asValue(form.mean, true), operateShare: share === null ? form.share : share / 100 };
  const r = checkAgainst(SimulationRequestSchema, raw);
  if (r.ok) return { ok: true, payload: r.value };
  const fields: Record<string, FieldProblem> = {};
  for (const p of r.problems) {
    const k = SIM_FIELD[p.field];
    if (!k) continue;
    fields[k] = k === 'share' && (p.kind === 'tooSmall' || p.kind === 'tooBig') ? { ...p, limit: p.limit === undefined ? undefined : p.limit * 100 } : p;
  }
  return { ok: false, problems: { fields, form: null } };
}

/** A refusal from the server, which the form's own check let through: the form's problem, in the server's words. */
export function refusalText(e: Error & { issues?: readonly string[] }): string {
  return e.issues?.length ? `${e.message} ${e.issues.join('; ')}` : e.message;
}
