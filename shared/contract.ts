// The one contract between the core and every door (Electron IPC, the agent's
// HTTP/WebSocket API, the CLI): command names with their input schemas, the
// results they return, and the events the core pushes. Both sides import this file.
import { z } from 'zod';
import { checkTemplate } from './placeholders';
import { AdmissionPatchSchema, QueuePageSchema, SimulationSchema, type AdmissionSnapshot, type QueuePage, type SessionView, type SimulationStatus } from './admission-rules';
import { ProbeSettingsSchema, type ProbeLive, type ProbeRun, type ProbeSummary } from './probe';
import type { ProbeExport } from './probe-report';
import type { HostInfo, InstanceInfo, LogLine, OrphanInfo, Snapshot } from './wire/samples';
import { fleetCommandInputs, type FleetCommandOutputs, type FleetOverview } from './wire/fleet';

const MAX_PATH = 4096;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_.()-]*$/;

const templated = (max: number) =>
  z
    .string()
    .max(max)
    .superRefine((s, ctx) => {
      const err = checkTemplate(s);
      if (err) ctx.addIssue({ code: 'custom', message: err });
    });

/**
 * Where an instance's Pixel Streaming stream is, as templates with the placeholders of
 * the arguments: the signalling server players connect to (`ws://127.0.0.1:80` for one
 * Wilbur carrying every instance, or `ws://127.0.0.1:{8080+i}`), the streamer id the
 * app registers (`stream{n}`, matching `-PixelStreamingID=stream{n}`) and the player
 * page people open. Empty signalling URL: the profile has no stream settings.
 */
export const StreamSettingsSchema = z
  .object({
    signallingUrl: templated(2048).refine((s) => s === '' || /^wss?:\/\/[^\s/]+/i.test(s), 'the signalling URL starts with ws:// or wss:// and names a host, e.g. ws://127.0.0.1:80'),
    streamerId: templated(256),
    playerUrl: templated(2048).refine((s) => s === '' || /^https?:\/\/[^\s/]+/i.test(s), 'the player URL starts with http:// or https://'),
    /** StreamCap's measuring viewers per instance; each is a player of its own, so an encode of its own. */
    viewers: z.number().int().min(0).max(8),
  })
  .strict()
  .refine((s) => s.signallingUrl === '' || s.streamerId.trim() !== '', { message: 'a streamer id is needed with a signalling URL (e.g. stream{n})', path: ['streamerId'] });
export type StreamSettings = z.output<typeof StreamSettingsSchema>;

export const ProfileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'id: lower-case letters, digits and dashes'),
    name: z.string().trim().min(1, 'name is required').max(80),
    exe: z.string().trim().min(1, 'executable path is required').max(MAX_PATH),
    args: z.array(templated(8192)).max(256),
    cwd: templated(MAX_PATH).default(''),
    env: z.record(z.string().regex(ENV_KEY, 'environment variable names: letters, digits and _'), templated(32768)).default({}),
    staggerSec: z.number().min(0).max(600).default(2),
    gpuPinning: z.boolean().default(false),
    autoRestart: z
      .object({
        enabled: z.boolean(),
        maxRetries: z.number().int().min(1).max(100),
      })
      .strict()
      .default({ enabled: false, maxRetries: 3 }),
    copy: z
      .object({
        enabled: z.boolean(),
        sourceDir: z.string().max(MAX_PATH),
        targetDir: z.string().max(MAX_PATH),
      })
      .strict()
      .default({ enabled: false, sourceDir: '', targetDir: '' })
      .refine((c) => !c.enabled || (c.sourceDir.trim() !== '' && c.targetDir.trim() !== ''), {
        message: 'copy per instance needs a source folder and a target folder',
      }),
    stream: StreamSettingsSchema.default({ signallingUrl: '', streamerId: '', playerUrl: '', viewers: 1 }),
    builtin: z.boolean().optional(),
  })
  .strict();
export type Profile = z.output<typeof ProfileSchema>;
export type ProfileInput = z.input<typeof ProfileSchema>;

const Empty = z.object({}).strict();
const IdInput = z.object({ id: z.string().min(1).max(100) }).strict();

export const commandInputs = {
  'host.info': Empty,
  'profiles.list': Empty,
  'profiles.save': ProfileSchema,
  'profiles.delete': IdInput,
  'instances.list': Empty,
  'instances.launch': z.object({ profileId: z.string().min(1).max(100), count: z.number().int().min(1).max(64) }).strict(),
  /** Launches copies of an executable described in full, without saving a profile (the CLI's ad-hoc launch). */
  'instances.launchExe': z.object({ profile: ProfileSchema, count: z.number().int().min(1).max(64) }).strict(),
  'instances.stop': IdInput,
  'instances.stopAll': Empty,
  'instances.restart': IdInput,
  'instances.clearExited': Empty,
  'instances.log': IdInput,
  /** Closes an instance's measuring viewers and connects them again. */
  'streams.reconnect': IdInput,
  'orphans.list': Empty,
  'orphans.resolve': z.object({ action: z.enum(['stop', 'adopt']) }).strict(),
  'metrics.history': Empty,
  /** The newest sample (null before the first). */
  'metrics.latest': Empty,
  /** A saved profile by id, or one described in full (the CLI's ad-hoc probe): exactly one of the two. */
  'probe.start': ProbeSettingsSchema.extend({ profileId: z.string().min(1).max(100).optional(), profile: ProfileSchema.optional() })
    .strict()
    .refine((p) => (p.profileId === undefined) !== (p.profile === undefined), { message: 'give exactly one of profileId (a saved profile) and profile (one described in full)', path: ['profileId'] }),
  /** Resolves when the probe in progress ends, with its run (null when none runs). */
  'probe.wait': Empty,
  'probe.cancel': Empty,
  'probe.status': Empty,
  'probe.history': Empty,
  'probe.get': IdInput,
  'probe.delete': IdInput,
  'probe.export': z
    .object({
      id: z.string().min(1).max(100),
      format: z.enum(['json', 'csv', 'html']),
      /** HTML only: a second run shown side by side. */
      compareId: z.string().min(1).max(100).optional(),
      lang: z.enum(['en', 'zh-CN']).default('en'),
    })
    .strict(),
  'admission.get': Empty,
  'admission.set': AdmissionPatchSchema,
  'admission.kick': IdInput,
  'admission.promote': IdInput,
  'admission.move': z.object({ id: z.string().min(1).max(100), position: z.number().int().min(1).max(100_000) }).strict(),
  'admission.simulate': SimulationSchema,
  /** One page of the line: the snapshot carries only its first QUEUE_PAGE people. */
  'admission.queue': QueuePageSchema,
  // The people's side (shared/wire/sessions.ts is the wire; these are what its door asks the core).
  /** `person` is the untrusted join body (validated by the admission rules); owner and its limit are the door's. */
  'sessions.join': z.object({ person: z.unknown(), owner: z.string().max(256).optional(), maxPerOwner: z.number().int().min(1).max(100_000).optional() }).strict(),
  'sessions.get': IdInput,
  'sessions.leave': IdInput,
  /** Keeps a place; says whether the session still exists and the timeout in force (the door pings a third of it). */
  'sessions.heartbeat': IdInput,
  ...fleetCommandInputs,
} as const;
export type CommandName = keyof typeof commandInputs;
export type CommandInput<K extends CommandName> = z.input<(typeof commandInputs)[K]>;

export interface CommandOutputs extends FleetCommandOutputs {
  'host.info': HostInfo;
  'profiles.list': Profile[];
  'profiles.save': Profile;
  'profiles.delete': { deleted: string };
  'instances.list': InstanceInfo[];
  'instances.launch': { ids: string[] };
  'instances.launchExe': { ids: string[] };
  'instances.stop': InstanceInfo;
  'instances.stopAll': { stopped: number };
  'instances.restart': InstanceInfo;
  'instances.clearExited': { removed: number };
  'instances.log': { id: string; lines: LogLine[]; droppedLines: number };
  'streams.reconnect': { id: string; viewers: number };
  'orphans.list': OrphanInfo[];
  'orphans.resolve': { stopped: number; adopted: number };
  'metrics.history': Snapshot[];
  'metrics.latest': Snapshot | null;
  'probe.start': ProbeLive;
  'probe.wait': ProbeRun | null;
  'probe.cancel': { cancelled: boolean };
  'probe.status': ProbeLive | null;
  'probe.history': ProbeSummary[];
  'probe.get': ProbeRun;
  'probe.delete': { deleted: string };
  'probe.export': ProbeExport;
  'admission.get': AdmissionSnapshot;
  'admission.set': AdmissionSnapshot;
  'admission.kick': { kicked: string };
  'admission.promote': SessionView;
  'admission.move': SessionView;
  'admission.simulate': SimulationStatus;
  'admission.queue': QueuePage;
  'sessions.join': SessionView;
  'sessions.get': SessionView;
  'sessions.leave': { left: string };
  'sessions.heartbeat': { alive: boolean; heartbeatTimeoutSec: number };
}

/** What a handler of the command receives: the payload as its schema parsed it. */
export type CommandParsed<K extends CommandName> = z.output<(typeof commandInputs)[K]>;

export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(commandInputs, name);
}

// ---- Errors -------------------------------------------------------------------

export const API_ERROR_CODES = [
  'invalid_payload',
  'unknown_command',
  'not_found',
  'conflict',
  'exe_not_found',
  'disk_full',
  'unauthorized',
  'forbidden',
  'too_large',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiErrorBody {
  /** ended: why a session is over (the sessions API says so for a while after it ended). */
  error: { code: ApiErrorCode; message: string; issues?: string[]; ended?: string };
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: string[],
    readonly ended?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  toJSON(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}), ...(this.ended ? { ended: this.ended } : {}) } };
  }
}

/** Validates a command's payload; throws ApiError('invalid_payload') listing every problem. */
export function parseCommandInput<K extends CommandName>(name: K, payload: unknown): z.output<(typeof commandInputs)[K]> {
  const result = commandInputs[name].safeParse(payload ?? {});
  if (!result.success) {
    const issues = result.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
    throw new ApiError('invalid_payload', `Invalid payload for ${name}: ${issues.join('; ')}`, issues);
  }
  return result.data as z.output<(typeof commandInputs)[K]>;
}

// ---- Data the core reports (shared/wire/samples.ts) --------------------------------
export * from './wire/samples';

export interface EventMap {
  sample: Snapshot;
  instances: InstanceInfo[];
  profiles: Profile[];
  orphans: OrphanInfo[];
  probe: ProbeLive;
  admission: AdmissionSnapshot;
  fleet: FleetOverview;
}
export type EventName = keyof EventMap;
export type AppEvent = { [K in EventName]: { type: K; data: EventMap[K] } }[EventName];
