// An instance's lifecycle in one place: from each state, the states it may go to.
// The supervisor changes state only through transition(); a change the table does
// not allow is refused (the state stays as it was) and said in words.
import type { InstanceInfo, InstanceState } from '../../shared/contract';

/** Every finished state may start again (restart: stop is a no-op, then start → running, or failed when it cannot). */
const RESTARTABLE: readonly InstanceState[] = ['running', 'failed'];

export const INSTANCE_TRANSITIONS: Readonly<Record<InstanceState, readonly InstanceState[]>> = {
  // Waiting for its turn in a staggered launch.
  starting: ['copying', 'running', 'failed', 'stopped'],
  // Its folder being copied before the launch.
  copying: ['starting', 'failed', 'stopped'],
  // running → running: the launcher exited while processes it started run on (the reason changes).
  running: ['running', 'stopping', 'stopped', 'exited', 'crashed', 'backoff', 'failed'],
  stopping: ['stopped'],
  // Waiting to restart after a crash.
  backoff: ['running', 'failed', 'stopped'],
  stopped: RESTARTABLE,
  exited: RESTARTABLE,
  crashed: RESTARTABLE,
  failed: RESTARTABLE,
};

export const canTransition = (from: InstanceState, to: InstanceState): boolean => INSTANCE_TRANSITIONS[from].includes(to);

export type TransitionResult = { ok: true } | { ok: false; message: string };

/** Applies from → to (and the reason) to an instance's info when the table allows it; otherwise leaves it alone and says why. */
export function transition(info: Pick<InstanceInfo, 'state' | 'reason'>, to: InstanceState, reason: string | null = info.reason): TransitionResult {
  if (!canTransition(info.state, to)) return { ok: false, message: `illegal state change ${info.state} → ${to} refused (${reason ?? 'no reason'})` };
  info.state = to;
  info.reason = reason;
  return { ok: true };
}
