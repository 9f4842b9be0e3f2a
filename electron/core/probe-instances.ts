// What the capacity probe needs of the supervisor, and no more: launch, stop, forget
// its own instances, look one up, count the others, hear of changes. The probe never
// reaches into the supervisor's records; supervisorPort() adapts the supervisor.
import type { InstanceInfo, Profile } from '../../shared/contract';
import type { Supervisor } from './supervisor';

export interface ProbeInstancePort {
  /** Every instance the supervisor knows. */
  list(): InstanceInfo[];
  /** One instance's live info (read as it changes); undefined once it was removed. */
  info(id: string): InstanceInfo | undefined;
  /** Its last `lines` lines of output ([] once removed). */
  tail(id: string, lines: number): string[];
  launch(profile: Profile, count: number, gpuCount: number): { ids: string[]; started: Promise<void> };
  stop(id: string): Promise<unknown>;
  /** Removes ended instances by id. */
  forget(ids: Iterable<string>): number;
  /** Calls `fn` whenever an instance's state changed; returns the unsubscribe. */
  onChange(fn: () => void): () => void;
}

export function supervisorPort(supervisor: Supervisor): ProbeInstancePort {
  return {
    list: () => supervisor.list(),
    info: (id) => supervisor.instances.get(id)?.info,
    tail: (id, lines) => supervisor.instances.get(id)?.log.tail(lines) ?? [],
    launch: (profile, count, gpuCount) => supervisor.launch(profile, count, gpuCount),
    stop: (id) => supervisor.stop(id),
    forget: (ids) => supervisor.forget(ids),
    onChange: (fn) => {
      supervisor.on('change', fn);
      return () => supervisor.off('change', fn);
    },
  };
}
