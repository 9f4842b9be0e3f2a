// The profile editor's server issues, mapped to the fields that show them. Pure (no
// React), so unit tests read it directly.

/** "args.1: …" → args; "stream.signallingUrl: …" → stream.signallingUrl (one field each); several issues of a field join with "; ". */
export function issuesByField(issues: readonly string[]): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const issue of issues) {
    const path = issue.split(':')[0]!.trim();
    const key = path.startsWith('stream.') ? path.split('.').slice(0, 2).join('.') : path.split('.')[0]!;
    byField[key] = byField[key] ? `${byField[key]}; ${issue}` : issue;
  }
  return byField;
}
