// Field problems of the Bandwidth view and the capacity planner, as data: shared/bandwidth
// checks the form against its schemas and says what is wrong with each field; these turn
// that into a translation key per field. Pure (no React), so unit tests read them directly.
import type { FieldProblem } from '../../../../shared/bandwidth';

/** Maps problems to their fields. */
export const byField = (problems: FieldProblem[]): Record<string, FieldProblem> => Object.fromEntries(problems.map((p) => [p.field, p]));

/** The translation key of a problem and the bound it names: a bound of 0 from below reads "negative". */
export function bandwidthProblemKey(p: FieldProblem): { key: `bw.problem.${FieldProblem['kind']}` | 'bw.problem.negative'; limit: number } {
  if (p.kind === 'tooSmall' && p.limit === 0) return { key: 'bw.problem.negative', limit: 0 };
  return { key: `bw.problem.${p.kind}`, limit: p.limit ?? 0 };
}
