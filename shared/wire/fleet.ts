// The fleet's wire shapes, in one place: the servers list (the `--fleet` file and the
// console's add form), the admin commands' inputs, the overview the core pushes, and
// the front door's session view. Both sides import this file; it imports only shared/.
import { z } from 'zod';
import type { SessionView } from '../admission-rules';

/** A server's name: what the console shows, the `server` of a front-door session, the proxy path. */
export const ServerNameSchema = z
  .string()
  .trim()
  .min(1, 'name is required')
  .max(64, 'name: at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'name: letters, digits, dot, dash and underscore (render-01)');

/** An agent's base address: http(s)://host:port, no path (a trailing slash is dropped). */
export const AgentUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .transform((s) => s.replace(/\/+$/, ''))
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && (u.pathname === '/' || u.pathname === '') && !u.search && !u.hash && !u.username;
    } catch {
      return false;
    }
  }, 'url: the agent address, http://host:7420 (no path)');

/** The agent's admin token (agent-token in its data folder). */
export const TokenSchema = z
  .string()
  .trim()
  .min(16, 'token: at least 16 characters')
  .max(512)
  .regex(/^[A-Za-z0-9._~+/=-]+$/, 'token: printable, no spaces');

export const ServerEntrySchema = z.object({ name: ServerNameSchema, url: AgentUrlSchema, token: TokenSchema }).strict();
export type ServerEntry = z.output<typeof ServerEntrySchema>;

/** `streamcap agent --fleet FILE`: {"servers":[{"name":"render-01","url":"http://10.0.0.11:7420","token":"…"}]} */
export const FleetFileSchema = z
  .object({ servers: z.array(ServerEntrySchema).max(256) })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    for (const [i, s] of f.servers.entries()) {
      if (seen.has(s.name.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['servers', i, 'name'], message: `name "${s.name}" is used twice` });
      seen.add(s.name.toLowerCase());
    }
  });
export type FleetFile = z.output<typeof FleetFileSchema>;

/**
 * The URL `streamcap agent` prints, `http://host:7420/#token=…`, as an address and a
 * token; null when the text is not such a URL.
 */
export function parseAgentLink(text: string): { url: string; token: string } | null {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const m = /(?:^#|&)token=([^&]+)/.exec(u.hash);
  if (!m) return null;
  const token = decodeURIComponent(m[1]!);
  if (!TokenSchema.safeParse(token).success) return null;
  return { url: `${u.protocol}//${u.host}`, token };
}

/** A default name for a server added without one: its host (render-01.local → render-01.local). */
export function nameFromUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'server'}${u.port && u.port !== '7420' ? `-${u.port}` : ''}`;
}

/** Add a server: the pasted console URL, or host, port and token. */
export const FleetAddSchema = z
  .object({
    name: ServerNameSchema.optional(),
    link: z.string().max(4096).optional(),
    host: z
      .string()
      .trim()
      .min(1)
      .max(253)
      .regex(/^[A-Za-z0-9.:[\]-]+$/, 'host: a host name or address')
      .optional(),
    port: z.number().int().min(1).max(65535).optional(),
    token: TokenSchema.optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.link !== undefined) {
      if (a.host !== undefined || a.port !== undefined || a.token !== undefined) ctx.addIssue({ code: 'custom', path: ['link'], message: 'send the pasted URL alone, or host, port and token' });
      else if (!parseAgentLink(a.link)) ctx.addIssue({ code: 'custom', path: ['link'], message: 'link: paste the URL the agent prints, http://host:7420/#token=…' });
    } else if (a.host === undefined || a.token === undefined) {
      ctx.addIssue({ code: 'custom', path: a.host === undefined ? ['host'] : ['token'], message: 'send the pasted URL (link), or host, port and token' });
    }
  });
export type FleetAdd = z.output<typeof FleetAddSchema>;

/** The entry a validated add describes (name defaulted from the host). */
export function entryFromAdd(a: FleetAdd): ServerEntry {
  const parsed = a.link !== undefined ? parseAgentLink(a.link)! : { url: `http://${a.host!.includes(':') && !a.host!.startsWith('[') ? `[${a.host}]` : a.host}:${a.port ?? 7420}`, token: a.token! };
  return ServerEntrySchema.parse({ name: a.name ?? nameFromUrl(parsed.url), url: parsed.url, token: parsed.token });
}

const ServerRef = z.object({ server: ServerNameSchema }).strict();

/** The fleet's admin commands (entries of shared/contract.ts's command map). */
export const fleetCommandInputs = {
  'fleet.list': z.object({}).strict(),
  'fleet.add': FleetAddSchema,
  'fleet.rename': z.object({ server: ServerNameSchema, to: ServerNameSchema }).strict(),
  'fleet.remove': ServerRef,
  /** Launch N instances of a profile (by id, on that server) on one server. */
  'fleet.launch': z.object({ server: ServerNameSchema, profileId: z.string().min(1).max(100), count: z.number().int().min(1).max(64) }).strict(),
  'fleet.stopAll': ServerRef,
  /** Drain: the server admits nobody new; the people on it stay. false ends the drain. */
  'fleet.drain': z.object({ server: ServerNameSchema, draining: z.boolean() }).strict(),
} as const;

/** What each fleet command returns (the contract's CommandOutputs extends this). */
export interface FleetCommandOutputs {
  'fleet.list': FleetOverview;
  'fleet.add': { name: string; url: string };
  'fleet.rename': { name: string };
  'fleet.remove': { removed: string };
  'fleet.launch': { ids: string[] };
  'fleet.stopAll': { stopped: number };
  'fleet.drain': { server: string; draining: boolean };
}

export type MemberState = 'online' | 'stale' | 'offline';

export interface FleetMemberView {
  name: string;
  url: string;
  state: MemberState;
  /** When the agent was last heard from (epoch ms; null: never). */
  lastHeardAt: number | null;
  /** Why it cannot be reached, in words (refused, wrong token, …); null while it answers. */
  error: string | null;
  /** The member's own admission says it admits nobody new. */
  draining: boolean;
  hostname: string | null;
  version: string | null;
  /** Loads 0–1 of the latest sample; null when not measured or not online (never a frozen figure). */
  cpu: number | null;
  memory: number | null;
  gpu: number | null;
  encoder: number | null;
  /** Highest load ÷ its threshold (1 = full), as Jitsi's videobridge reports it. */
  stress: number | null;
  instances: { running: number; total: number } | null;
  probeCapacity: number | null;
  seats: { total: number; used: number; free: number } | null;
  /** People waiting in the member's own line. */
  waiting: number | null;
  /** Mean delivered stream figures over its measured instances. */
  streams: { measured: number; fps: number | null; bitrateMbps: number | null } | null;
  /** Front-door people placed on it. */
  placed: number;
}

export interface FleetOverview {
  now: number;
  members: FleetMemberView[];
  /** The front door's line; null when this agent is not a front door. */
  frontDoor: { waiting: number; placed: number; placements: number; placementP99Ms: number | null } | null;
}

/** A front-door session: the member's view, plus the server it is on. */
export interface FleetSessionView extends SessionView {
  /** The server the person is placed on; null while waiting at the front door. */
  server: string | null;
  /** Set when the server they were on went offline and they went back to the front of the line. */
  lostServer: string | null;
}

/** The console of one member, relayed by the agent that holds its token: HTTP commands and the event socket below it. */
export const FLEET_PROXY_PREFIX = '/api/v1/fleet/servers/';
export function memberApiBase(name: string): string {
  return `${FLEET_PROXY_PREFIX}${encodeURIComponent(name)}`;
}
export const FLEET_PROXY_PATH = /^\/api\/v1\/fleet\/servers\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})(\/events|\/commands\/([a-zA-Z.]{1,64}))$/;
