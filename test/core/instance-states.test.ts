// The instance lifecycle's transition table: the normal paths pass, an illegal change is refused.
import { describe, expect, it } from 'vitest';
import { canTransition, INSTANCE_TRANSITIONS, transition } from '../../electron/core/instance-states';
import { INSTANCE_STATES, type InstanceState } from '../../shared/contract';

function walk(path: InstanceState[]): InstanceState {
  const info = { state: path[0]!, reason: null as string | null };
  for (const to of path.slice(1)) expect(transition(info, to, `to ${to}`)).toEqual({ ok: true });
  return info.state;
}

describe('instance state transitions', () => {
  it('has a row for every state, naming only states', () => {
    expect(Object.keys(INSTANCE_TRANSITIONS).sort()).toEqual([...INSTANCE_STATES].sort());
    for (const to of Object.values(INSTANCE_TRANSITIONS).flat()) expect(INSTANCE_STATES).toContain(to);
  });

  it('passes the normal lifecycles', () => {
    expect(walk(['starting', 'running', 'stopping', 'stopped'])).toBe('stopped');
    expect(walk(['starting', 'copying', 'starting', 'running', 'exited'])).toBe('exited');
    expect(walk(['starting', 'running', 'crashed', 'running', 'backoff', 'running', 'backoff', 'failed'])).toBe('failed');
    expect(walk(['starting', 'running', 'running', 'stopping', 'stopped', 'running'])).toBe('running');
    expect(walk(['starting', 'stopped'])).toBe('stopped');
    expect(walk(['copying', 'failed'])).toBe('failed');
    expect(walk(['backoff', 'stopped'])).toBe('stopped');
  });

  it('refuses an illegal transition and leaves the state and reason alone', () => {
    const info = { state: 'stopped' as InstanceState, reason: 'stopped by user' };
    const result = transition(info, 'stopping', 'stopping');
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toMatch(/stopped → stopping/);
    expect(info).toEqual({ state: 'stopped', reason: 'stopped by user' });
    expect(canTransition('stopping', 'running')).toBe(false);
    expect(canTransition('exited', 'backoff')).toBe(false);
    expect(canTransition('copying', 'running')).toBe(false);
  });
});
