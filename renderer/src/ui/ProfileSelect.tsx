// The profile picker of the launch bar and the probe form.
import type { Profile } from '../../../shared/contract';

export function ProfileSelect(p: { profiles: Profile[]; value: string; onChange(id: string): void; disabled?: boolean; testId: string }) {
  return (
    <select value={p.value} onChange={(e) => p.onChange(e.target.value)} disabled={p.disabled} data-testid={p.testId}>
      {p.profiles.map((x) => (
        <option key={x.id} value={x.id}>
          {x.name}
        </option>
      ))}
    </select>
  );
}
