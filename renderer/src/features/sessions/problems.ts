// Server validation issues of the Sessions view's forms, mapped to their fields and to
// translation keys; numbers typed as text. Pure (no React), so unit tests read them directly.
import { CommandError } from '../../transport/types';

export interface Problems {
  fields: Record<string, string>;
  form: string | null;
}

/** "seats: Too big: …" → { seats: "Too big: …" }; what names no known field goes to the form. */
export function problemsOf(e: Error, known: readonly string[]): Problems {
  const issues = e instanceof CommandError ? e.issues : [];
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const issue of issues) {
    const m = /^([A-Za-z]+)(?:\.[^:]*)?:\s*(.*)$/.exec(issue);
    if (m && known.includes(m[1]!)) fields[m[1]!] = fields[m[1]!] ? `${fields[m[1]!]}; ${m[2]}` : m[2]!;
    else rest.push(issue);
  }
  return { fields, form: rest.length ? rest.join('; ') : issues.length ? null : e.message };
}

/**
 * Zod's usual English messages as a translation key and its parameters; null for any
 * other message (shown as the server said it).
 */
export function issueKey(
  msg: string,
): { key: 'sess.problem.tooBig' | 'sess.problem.tooSmall' | 'sess.problem.above' | 'sess.problem.integer' | 'sess.problem.number'; params?: { limit: string } } | null {
  let m: RegExpExecArray | null;
  if ((m = /^Too big: expected number to be <=?(\S+)$/.exec(msg))) return { key: 'sess.problem.tooBig', params: { limit: m[1]! } };
  // ">=" before ">": the pattern for ">" would also take ">=2", as "more than =2".
  if ((m = /^Too small: expected number to be >=(\S+)$/.exec(msg))) return { key: 'sess.problem.tooSmall', params: { limit: m[1]! } };
  if ((m = /^Too small: expected number to be >(\S+)$/.exec(msg))) return { key: 'sess.problem.above', params: { limit: m[1]! } };
  if (/expected int, received number/.test(msg)) return { key: 'sess.problem.integer' };
  if (/expected number/.test(msg)) return { key: 'sess.problem.number' };
  return null;
}

/** A number typed as text: the value, or null when it is not a number. */
export function parseNum(text: string): number | null {
  const s = text.trim().replace(',', '.');
  if (s === '') return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}
