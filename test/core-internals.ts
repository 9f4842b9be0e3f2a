// White-box access to a core's subsystems, for the tests and benchmarks of those
// subsystems only. Every door (Electron, agent, CLI) sees Core's public API and nothing
// else: TypeScript keeps these fields private there, and the lint's layer rule keeps
// doors from importing this file.
import type { Core } from '../electron/core/core';
import type { AdmissionService } from '../electron/core/admission/service';
import type { Ledger } from '../electron/core/ledger';
import type { ProbeRunner } from '../electron/core/probe-runner';
import type { ProfileStore } from '../electron/core/profiles';
import type { Sampler } from '../electron/core/sampler';
import type { StreamWatcher } from '../electron/core/streams/watcher';
import type { Supervisor } from '../electron/core/supervisor';

export interface CoreInternals {
  supervisor: Supervisor;
  sampler: Sampler;
  probe: ProbeRunner;
  admission: AdmissionService;
  ledger: Ledger;
  profiles: ProfileStore;
  streams: StreamWatcher;
}

export function internals(core: Core): CoreInternals {
  return core as unknown as CoreInternals;
}
