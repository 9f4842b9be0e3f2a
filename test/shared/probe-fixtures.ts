// Probe windows for the tests of the decision logic and of the reports.
import { resourceMap, type ProbeWindow, type Resource, type ResourceMap, type Stat } from '../../shared/probe';

/** A settled window that measured CPU (also the machine figure) and memory, with the fixed fields filled in. */
export function cpuWindow(cpu: Stat, memory: Stat, limits: ResourceMap<number | null>, verdict: ProbeWindow['verdict'], breached: Resource[] = []): ProbeWindow {
  return {
    stats: resourceMap((r) => (r === 'cpu' ? cpu : r === 'memory' ? memory : null)),
    machineCpu: cpu,
    appCpu: null,
    limits,
    samples: 10,
    windowSec: 10,
    extended: 0,
    verdict,
    breached,
    uncertain: [],
    noisy: false,
  };
}
