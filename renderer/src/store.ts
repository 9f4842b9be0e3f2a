// UI state. Samples go into a bounded history (the chart window); the view only
// renders what the store holds.
import { create } from 'zustand';
import type { AdmissionSnapshot } from '../../shared/admission-rules';
import type { AppEvent, HostInfo, InstanceInfo, OrphanInfo, Profile, Snapshot } from '../../shared/contract';
import type { ProbeLive } from '../../shared/probe';
import type { ConnectionState, Transport } from './transport/types';
import type { FleetOverview } from '../../shared/wire/fleet';

export const WINDOW_MS = 10 * 60 * 1000;

export type View = 'instances' | 'profiles' | 'bandwidth' | 'sessions' | 'probe' | 'wall' | 'fleet';

/** One live reading of a probe window, for the load-vs-instances chart (decision basis for CPU). */
export interface ProbePoint {
  t: number;
  count: number;
  cpu: number;
  memory: number;
  gpu: number | null;
  gpuMemory: number | null;
  encoder: number | null;
}
const PROBE_POINTS_MAX = 3000;

function probePoints(points: ProbePoint[], prev: ProbeLive | null, live: ProbeLive): ProbePoint[] {
  const base = prev && prev.run.id === live.run.id ? points : [];
  const r = live.reading;
  if (!r || (live.phase !== 'settle' && live.phase !== 'baseline')) return base;
  if (base.length > 0 && base[base.length - 1]!.t >= r.t) return base;
  const p: ProbePoint = { t: r.t, count: live.phase === 'baseline' ? 0 : r.count, cpu: r.decisionCpu, memory: r.memory, gpu: r.gpu, gpuMemory: r.gpuMemory, encoder: r.encoder };
  return [...(base.length >= PROBE_POINTS_MAX ? base.slice(-PROBE_POINTS_MAX + 1) : base), p];
}

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

export interface State {
  transport: Transport | null;
  connection: ConnectionState;
  /** The fleet member whose console this is (relayed by this agent); null: this agent's own. */
  member: string | null;
  fleet: FleetOverview | null;
  host: HostInfo | null;
  profiles: Profile[];
  instances: InstanceInfo[];
  orphans: OrphanInfo[];
  history: Snapshot[];
  latest: Snapshot | null;
  view: View;
  selectedId: string | null;
  editingProfileId: string | null;
  toasts: Toast[];
  /** The probe running now, or the last one this session saw. */
  probe: ProbeLive | null;
  probePoints: ProbePoint[];
  /** Session admission (seats, queue, bandwidth): the latest snapshot the core pushed, or null before the first. */
  admission: AdmissionSnapshot | null;
  /** Counts 'admission' events, so a slow initial load never overwrites a newer pushed snapshot. */
  admissionEvents: number;
  setView(v: View): void;
  select(id: string | null): void;
  editProfile(id: string | null): void;
  toast(kind: Toast['kind'], text: string): void;
  dismiss(id: number): void;
  apply(e: AppEvent): void;
  setHistory(h: Snapshot[]): void;
}

let toastSeq = 0;

function trim(history: Snapshot[], now: number): Snapshot[] {
  let k = 0;
  while (k < history.length && history[k]!.t < now - WINDOW_MS) k++;
  return k > 0 ? history.slice(k) : history;
}

export const useStore = create<State>((set) => ({
  transport: null,
  connection: 'connecting',
  member: null,
  fleet: null,
  host: null,
  profiles: [],
  instances: [],
  orphans: [],
  history: [],
  latest: null,
  view: 'instances',
  selectedId: null,
  editingProfileId: null,
  toasts: [],
  probe: null,
  probePoints: [],
  admission: null,
  admissionEvents: 0,
  setView: (view) => set({ view }),
  select: (selectedId) => set({ selectedId }),
  editProfile: (editingProfileId) => set({ editingProfileId, view: 'profiles' }),
  toast: (kind, text) => {
    const id = ++toastSeq;
    set((s) => ({ toasts: [...s.toasts.slice(-3), { id, kind, text }] }));
    setTimeout(() => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })), kind === 'error' ? 9000 : 4000);
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  apply: (e) => {
    switch (e.type) {
      case 'sample':
        set((s) => {
          if (s.latest && e.data.seq <= s.latest.seq && e.data.t <= s.latest.t) return {};
          return { latest: e.data, history: trim([...s.history, e.data], e.data.t) };
        });
        break;
      case 'instances':
        set({ instances: e.data });
        break;
      case 'profiles':
        set({ profiles: e.data });
        break;
      case 'orphans':
        set({ orphans: e.data });
        break;
      case 'probe':
        set((s) => ({ probe: e.data, probePoints: probePoints(s.probePoints, s.probe, e.data) }));
        break;
      case 'admission':
        set((s) => ({ admission: e.data, admissionEvents: s.admissionEvents + 1 }));
        break;
      case 'fleet':
        set({ fleet: e.data });
        break;
    }
  },
  setHistory: (h) => set((s) => (h.length > s.history.length ? { history: trim(h, h[h.length - 1]!.t), latest: h[h.length - 1]! } : {})),
}));

/** Loads the admission snapshot once (on connect); a snapshot pushed meanwhile wins. */
export async function loadAdmission(transport: Transport): Promise<void> {
  const before = useStore.getState().admissionEvents;
  try {
    const admission = await transport.invoke('admission.get', {});
    if (useStore.getState().admissionEvents === before) useStore.setState({ admission });
  } catch {
    // An agent without admission (older core): the view says it has no data yet.
  }
}

/** Calls a command and shows its error as a toast; returns undefined on failure. */
export async function run<T>(fn: (t: Transport) => Promise<T>, onError?: (e: Error) => void): Promise<T | undefined> {
  const { transport, toast } = useStore.getState();
  if (!transport) return undefined;
  try {
    return await fn(transport);
  } catch (e) {
    if (onError) onError(e as Error);
    else toast('error', (e as Error).message);
    return undefined;
  }
}
