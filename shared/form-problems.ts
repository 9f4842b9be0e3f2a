// What is wrong with each field of a form, as data, from the form's own zod schema:
// the console translates a problem by its kind and bound, the CLI words it in English.
// One mapping from zod's structured issues for every form (Bandwidth, the planner, the
// Sessions settings and simulator), so no view writes a rule again or reads zod's
// English messages. Pure: no I/O, no DOM.
import type { z } from 'zod';
import { formatNumber } from './format';

const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** '' and null → undefined (not given); numeric text → number; anything else is left for the schema to reject. */
export function textToNumber(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (s === '') return undefined;
  return NUMBER_TEXT.test(s) ? Number(s) : v;
}

export type ProblemKind = 'required' | 'notNumber' | 'notInteger' | 'tooSmall' | 'tooBig' | 'unknown' | 'invalid';

/** One thing wrong with one field, in data: the UI translates it, the CLI words it in English. */
export interface FieldProblem {
  field: string;
  kind: ProblemKind;
  /** The bound broken (tooSmall / tooBig). */
  limit?: number;
  /** tooSmall / tooBig: false where the bound itself is not allowed (> 0); absent where it is (≥ 2). */
  inclusive?: boolean;
  /** invalid: a rule's own words, where it gave some (e.g. a link template's unknown placeholder). */
  message?: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/** zod's issues as field problems; `raw` is the input as typed (to tell "required" from "not a number"). The first problem of a field is enough. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], raw: Record<string, unknown>): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: key, kind: 'unknown' });
      continue;
    }
    const field = String(issue.path[0] ?? '');
    if (out.some((p) => p.field === field)) continue;
    const given = textToNumber(raw[field]);
    if (issue.code === 'invalid_type') {
      if (given === undefined) out.push({ field, kind: 'required' });
      else if (issue.expected === 'int') out.push({ field, kind: 'notInteger' });
      else if (issue.expected === 'number') out.push({ field, kind: 'notNumber' });
      else out.push({ field, kind: 'invalid' });
    } else if (issue.code === 'too_small') out.push({ field, kind: 'tooSmall', limit: Number(issue.minimum), ...exclusive(issue.inclusive) });
    else if (issue.code === 'too_big') out.push({ field, kind: 'tooBig', limit: Number(issue.maximum), ...exclusive(issue.inclusive) });
    else if (issue.code === 'custom') out.push({ field, kind: 'invalid', message: issue.message });
    else out.push({ field, kind: 'invalid' });
  }
  return out;
}

/** Only a bound that is not allowed is marked: most are (≥, ≤). */
const exclusive = (inclusive: boolean | undefined) => (inclusive === false ? { inclusive: false } : {});

/** Checks raw input against a schema: the value, or what is wrong with each field. */
export function checkAgainst<S extends z.ZodType>(schema: S, raw: Record<string, unknown>): Checked<z.output<S>> {
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, problems: problemsFromIssues(r.error.issues, raw) };
}

/** Maps problems to their fields. */
export const byField = (problems: readonly FieldProblem[]): Record<string, FieldProblem> => Object.fromEntries(problems.map((p) => [p.field, p]));

/** English wording of a problem; `subject` is how the field is named where it is shown ("--bitrate", "Bitrate"). */
export function problemMessage(p: FieldProblem, subject: string): string {
  switch (p.kind) {
    case 'required':
      return `${subject} is required.`;
    case 'notNumber':
      return `${subject} must be a number.`;
    case 'notInteger':
      return `${subject} must be a whole number.`;
    case 'tooSmall':
      return p.limit === 0 && p.inclusive !== false ? `${subject} cannot be negative.` : `${subject} must be ${p.inclusive === false ? 'more than' : 'at least'} ${formatNumber(p.limit ?? 0)}.`;
    case 'tooBig':
      return `${subject} must be ${p.inclusive === false ? 'less than' : 'at most'} ${formatNumber(p.limit ?? 0)}.`;
    case 'unknown':
      return `${subject} is not a known field.`;
    case 'invalid':
      return p.message ? `${subject}: ${p.message}` : `${subject} is not valid.`;
  }
}
