// The probe's settings: the schemas (the wire form) and the resolved form the runner uses.
import { z } from 'zod';

const pct = z.number().min(1).max(100);
export const ThresholdsSchema = z
  .object({
    /** % of the machine. */
    cpu: pct,
    /** % of the busiest GPU. */
    gpu: pct,
    /** % of the fullest GPU's memory. */
    gpuMemory: pct,
    /** % of RAM. */
    memory: pct,
    /** % encoder (NVENC) utilisation of the busiest GPU. */
    encoder: pct,
    /** Most concurrent encoder sessions; null: the card's own limit where the driver reports one. */
    encoderSessions: z.number().int().min(1).max(1000).nullable(),
  })
  .strict();
export type Thresholds = z.infer<typeof ThresholdsSchema>;

export const DEFAULT_THRESHOLDS: Thresholds = { cpu: 85, gpu: 85, gpuMemory: 90, memory: 90, encoder: 85, encoderSessions: null };

export const StrategySchema = z.enum(['smart', 'linear']);
export type Strategy = z.infer<typeof StrategySchema>;
/**
 * machine: the whole machine's CPU (the field's method). app: the idle baseline (its
 * median: a blip of other work during it is not the idle load) plus the probe's own
 * process trees — other work that starts later does not count.
 */
export const CpuBasisSchema = z.enum(['machine', 'app']);
export type CpuBasis = z.infer<typeof CpuBasisSchema>;

export const ProbeSettingsSchema = z
  .object({
    thresholds: ThresholdsSchema.partial().default({}),
    /** Time for a new instance to reach its heavy scene before its load counts. */
    warmupSec: z.number().min(0).max(3600).default(20),
    /** Steady-load window averaged per step. */
    settleSec: z.number().min(0.5).max(3600).default(10),
    /** The window may grow to this when readings are too unsteady to decide (default 3 × settle). */
    maxSettleSec: z.number().min(0.5).max(10800).optional(),
    maxInstances: z.number().int().min(1).max(64).default(16),
    strategy: StrategySchema.default('smart'),
    leaveRunning: z.boolean().default(false),
    cpuBasis: CpuBasisSchema.default('machine'),
    /** Measuring viewers per instance (default: 1 when the profile has stream settings, else 0): the operator, and more for spectators. */
    viewersPerInstance: z.number().int().min(0).max(8).optional(),
    /** Stream quality a step must keep: the slowest stream's fps ≥ ratio × the fps at 1 instance; freezes per minute per stream at most. */
    minFpsRatio: z.number().min(0.1).max(1).default(0.9),
    maxFreezesPerMin: z.number().min(0).max(600).default(1),
  })
  .strict();
export type ProbeSettingsInput = z.input<typeof ProbeSettingsSchema>;

export type ProbeSettingsParsed = z.output<typeof ProbeSettingsSchema>;

/** The parsed settings with every default filled in: all thresholds, the window cap, the viewers. */
export type ProbeSettings = Omit<ProbeSettingsParsed, 'thresholds' | 'maxSettleSec' | 'viewersPerInstance'> & {
  thresholds: Thresholds;
  maxSettleSec: number;
  /** null: the profile's own stream settings decide (1 viewer when it has them). */
  viewersPerInstance: number | null;
};

/** Fills defaults: thresholds per resource, the window cap. */
export function resolveSettings(input: ProbeSettingsParsed): ProbeSettings {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...input.thresholds };
  return {
    thresholds,
    warmupSec: input.warmupSec,
    settleSec: input.settleSec,
    maxSettleSec: Math.max(input.settleSec, input.maxSettleSec ?? input.settleSec * 3),
    maxInstances: input.maxInstances,
    strategy: input.strategy,
    leaveRunning: input.leaveRunning,
    cpuBasis: input.cpuBasis,
    viewersPerInstance: input.viewersPerInstance ?? null,
    minFpsRatio: input.minFpsRatio,
    maxFreezesPerMin: input.maxFreezesPerMin,
  };
}
