// Field problems of the Bandwidth view and the capacity planner as translation keys:
// shared/form-problems checks the form against its schemas and says what is wrong
// with each field. Pure (no React), so unit tests read them directly.
import type { FieldProblem } from '../../../../shared/form-problems';

export { byField } from '../../../../shared/form-problems';

/** The translation key of a problem and the bound it names: a bound of 0 from below reads "negative". */
export function bandwidthProblemKey(p: FieldProblem): { key: `bw.problem.${FieldProblem['kind']}` | 'bw.problem.negative'; limit: number } {
  if (p.kind === 'tooSmall' && p.limit === 0) return { key: 'bw.problem.negative', limit: 0 };
  return { key: `bw.problem.${p.kind}`, limit: p.limit ?? 0 };
}
