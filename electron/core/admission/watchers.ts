/**
 * The people's live views (their WebSockets): who watches which session, and what
 * each was last sent, so a step tells only the people whose view it changed, and
 * each of them once. A step changes a few people and the positions of those behind
 * the first place where the line differs: computing views for only those keeps a
 * join O(1) in views, not O(people waiting). The service says what changed; this
 * part works out whom to tell.
 */
import { queueIndex, type AdmissionState, type SessionView, type Step } from '../../../shared/admission-rules';
import type { EndReason, SessionNotice } from '../../../shared/wire/sessions';

export type Watcher = (notice: SessionNotice) => void;

/** A person's view, with the line's index and the mean hold computed once per round of notices. */
export type ViewOf = (id: string, index: Map<string, number>, meanHoldSec: number | null) => SessionView | null;

export class SessionWatchers {
  private readonly byId = new Map<string, Set<Watcher>>();
  private readonly lastSent = new Map<string, string>();
  /** The mean hold the people were last told their estimates with. */
  private lastHold: number | null = null;

  constructor(private readonly viewOf: ViewOf) {}

  /** Sessions with at least one live watcher. */
  get size(): number {
    return this.byId.size;
  }

  /**
   * Subscribes `fn` to session `id`, whose current view is `view`; returns the
   * unsubscribe. The view is sent first: a watcher that throws is never registered.
   */
  add(id: string, view: SessionView, fn: Watcher): () => void {
    fn({ type: 'session', session: view });
    // Recorded as sent, so a later change back to an earlier view is not mistaken for "already told".
    this.lastSent.set(id, JSON.stringify(view));
    let set = this.byId.get(id);
    if (!set) this.byId.set(id, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.byId.get(id) === set) this.byId.delete(id);
    };
  }

  /**
   * After a step from `before` to `state`: tells those it changed, and everyone in line
   * from the first place where the queue differs (their positions moved). When the mean
   * hold moved, every estimate did: everyone is looked at.
   */
  afterStep(before: AdmissionState, state: AdmissionState, step: Step, meanHoldSec: number | null): void {
    if (meanHoldSec !== this.lastHold) return this.all(state, meanHoldSec);
    const ids = new Set(step.changes.map((c) => c.id));
    const a = before.queue;
    const b = state.queue;
    let k = 0;
    while (k < a.length && k < b.length && a[k] === b[k]) k++;
    for (let i = k; i < b.length; i++) ids.add(b[i]!);
    this.notify(ids, state, meanHoldSec);
  }

  /** Tells every watched person whose view changed (the places or the estimates moved). */
  all(state: AdmissionState, meanHoldSec: number | null): void {
    this.lastHold = meanHoldSec;
    this.notify(this.byId.keys(), state, meanHoldSec);
  }

  private notify(ids: Iterable<string>, state: AdmissionState, meanHoldSec: number | null): void {
    if (this.byId.size === 0) return;
    const index = queueIndex(state);
    for (const id of ids) {
      const set = this.byId.get(id);
      if (!set) continue;
      const v = this.viewOf(id, index, meanHoldSec);
      if (!v) continue;
      const text = JSON.stringify(v);
      if (this.lastSent.get(id) === text) continue;
      this.lastSent.set(id, text);
      for (const fn of set) fn({ type: 'session', session: v });
    }
  }

  /** The session ended: its watchers are told why and dropped. */
  ended(id: string, reason: EndReason): void {
    this.lastSent.delete(id);
    const set = this.byId.get(id);
    this.byId.delete(id);
    for (const fn of set ?? []) fn({ type: 'ended', reason });
  }

  /** The service closes: every watcher is told, none is kept. */
  close(): void {
    for (const set of this.byId.values()) for (const fn of set) fn({ type: 'ended', reason: 'closed' });
    this.byId.clear();
    this.lastSent.clear();
  }
}
