// Epic's Pixel Streaming signalling server ("Wilbur", PixelStreamingInfrastructure's
// SignallingWebServer) can answer a small REST API that tells how many players watch
// each streamer. StreamCap reads it, when asked, to show real player counts.
// This file: the response shapes and pure, tolerant parsers. No I/O, no node:.
//
// What Wilbur serves (read from its source; test/fixtures/wilbur/SOURCES.md cites it):
//  - Only when started with `--rest_api`, on the Express app of its web server
//    (`--serve`, on `player_port`, 80 by default), under `/api`.
//  - GET /api/status    → { uptime: ms, streamer_count, player_count, version }
//                         (`version` is Wilbur's package.json version; the first
//                         Wilbur had no `version`).
//  - GET /api/streamers → [ { streamerId, type: 'Streamer' | 'SFU', streaming,
//                             remoteAddress?, subscribers: PlayerInfo[] } ]
//  - GET /api/players   → [ PlayerInfo ], PlayerInfo = { playerId, type: 'Player' | 'SFU',
//                             subscribedTo?, remoteAddress? }
//    Fields whose value is undefined (an unsubscribed player's `subscribedTo`) are
//    absent from the JSON. The OpenAPI docs in the handlers say "array of string";
//    the handlers send the objects above. Both are accepted here.
//  - An SFU is in both registries: a streamer of type 'SFU' (its own viewers are its
//    subscribers) and a player of type 'SFU' subscribed to the streamer it forwards.
//    It is counted like any player: it is one WebRTC stream the streamer encodes.
//  - The old cirrus.js (UE 5.3 and before) has no REST API at all.
import { z } from 'zod';

export const WILBUR_PATHS = {
  status: '/api/status',
  streamers: '/api/streamers',
  players: '/api/players',
} as const;

/** The fix to suggest whenever the answer is not Wilbur's REST API. */
export const WILBUR_REST_API_HINT = 'start Wilbur (the signalling server) with --serve --rest_api and use its web port (player_port)';

export interface WilburStreamer {
  id: string;
  /** null when the server did not say (older versions, or /api/streamers unavailable). */
  streaming: boolean | null;
  players: number;
}

export type WilburStatus =
  | {
      ok: true;
      url: string;
      fetchedAt: number;
      streamerCount: number;
      playerCount: number;
      streamers: WilburStreamer[];
      version: string | null;
    }
  | { ok: false; url: string; fetchedAt: number; reason: string };

// ---------------------------------------------------------------------------
// Schemas. Loose objects: fields added by later versions pass through untouched.
// ---------------------------------------------------------------------------

const Count = z.number().int().nonnegative();

export const WilburStatusBodySchema = z.looseObject({
  uptime: z.number().optional(),
  streamer_count: Count,
  player_count: Count,
  version: z.string().optional(),
});
export type WilburStatusBody = z.infer<typeof WilburStatusBodySchema>;

// Optional string fields: a wrong type is treated as absent rather than failing the item.
const OptString = z.string().nullish().catch(undefined);

const PlayerInfoObject = z.looseObject({
  playerId: OptString,
  type: OptString,
  subscribedTo: OptString,
  // Not in Wilbur; a player's streamer under other names, for forks and future versions.
  streamerId: OptString,
  streamer: OptString,
});

const StreamerInfoObject = z.looseObject({
  streamerId: OptString,
  id: OptString, // not in Wilbur; tolerated for forks
  type: OptString,
  streaming: z.boolean().nullish().catch(undefined),
  subscribers: z.array(z.unknown()).nullish().catch(undefined),
});

/** A player as StreamCap uses it. */
export interface WilburPlayerInfo {
  id: string | null;
  type: string | null;
  /** The streamer it is subscribed to; null when not (yet) subscribed or not said. */
  subscribedTo: string | null;
}

/** A streamer as StreamCap uses it. */
export interface WilburStreamerInfo {
  id: string;
  type: string | null;
  streaming: boolean | null;
  /** Subscribed players; null when this response does not list them. */
  subscribers: WilburPlayerInfo[] | null;
}

/** One player entry: an object (what Wilbur sends) or a bare id (what its API docs say). */
function toPlayer(item: unknown): WilburPlayerInfo | null {
  if (typeof item === 'string') return { id: item, type: null, subscribedTo: null };
  const p = PlayerInfoObject.safeParse(item);
  if (!p.success) return null;
  const v = p.data;
  return { id: v.playerId ?? null, type: v.type ?? null, subscribedTo: v.subscribedTo ?? v.streamerId ?? v.streamer ?? null };
}

function toStreamer(item: unknown): WilburStreamerInfo | null {
  if (typeof item === 'string') return { id: item, type: null, streaming: null, subscribers: null };
  const s = StreamerInfoObject.safeParse(item);
  if (!s.success) return null;
  const id = s.data.streamerId ?? s.data.id;
  if (id == null) return null; // a streamer without an id cannot be shown
  const subs = s.data.subscribers;
  return {
    id,
    type: s.data.type ?? null,
    streaming: s.data.streaming ?? null,
    subscribers: subs == null ? null : subs.map(toPlayer).filter((p): p is WilburPlayerInfo => p !== null),
  };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** GET /api/status. Needs streamer_count and player_count; everything else is optional. */
export function parseWilburStatus(body: unknown): Parsed<WilburStatusBody> {
  const r = WilburStatusBodySchema.safeParse(body);
  if (r.success) return { ok: true, value: r.data };
  const what = body === null || typeof body !== 'object' || Array.isArray(body) ? describeJson(body) : 'an object without whole-number streamer_count and player_count';
  return { ok: false, reason: `its /api/status answered ${what}` };
}

/** GET /api/streamers: an array; entries that are not streamers are skipped. */
export function parseWilburStreamers(body: unknown): Parsed<WilburStreamerInfo[]> {
  if (!Array.isArray(body)) return { ok: false, reason: `/api/streamers answered ${describeJson(body)}, not a list` };
  return { ok: true, value: body.map(toStreamer).filter((s): s is WilburStreamerInfo => s !== null) };
}

/** GET /api/players: an array; entries that are not players are skipped. */
export function parseWilburPlayers(body: unknown): Parsed<WilburPlayerInfo[]> {
  if (!Array.isArray(body)) return { ok: false, reason: `/api/players answered ${describeJson(body)}, not a list` };
  return { ok: true, value: body.map(toPlayer).filter((p): p is WilburPlayerInfo => p !== null) };
}

function describeJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/**
 * Puts the three answers together. `status` is the parsed JSON of /api/status;
 * `streamers` and `players` are the parsed JSON of the other two, or null when they
 * could not be read. Totals always come from /api/status (one consistent snapshot);
 * per-streamer counts come from each streamer's subscribers, or else from the
 * players' subscribedTo, or else are not known (no streamers listed).
 */
export function combineWilbur(url: string, fetchedAt: number, status: unknown, streamers: unknown | null, players: unknown | null): WilburStatus {
  const st = parseWilburStatus(status);
  if (!st.ok) {
    return { ok: false, url, fetchedAt, reason: `${url} is not a Pixel Streaming signalling server REST API (${st.reason}): ${WILBUR_REST_API_HINT}` };
  }
  // A list that fails to parse is treated like one that could not be fetched.
  const sl = streamers == null ? null : parseWilburStreamers(streamers);
  const pl = players == null ? null : parseWilburPlayers(players);
  const streamerList = sl?.ok ? sl.value : null;
  const playerList = pl?.ok ? pl.value : null;

  const bySubscription = (id: string) => (playerList ?? []).filter((p) => p.subscribedTo === id).length;

  let out: WilburStreamer[];
  if (streamerList) {
    out = streamerList.map((s) => ({
      id: s.id,
      streaming: s.streaming,
      players: s.subscribers ? s.subscribers.length : bySubscription(s.id),
    }));
  } else if (playerList) {
    // No streamer list: the streamers players are subscribed to, in order of first mention.
    const ids = [...new Set(playerList.map((p) => p.subscribedTo).filter((id): id is string => id !== null))];
    out = ids.map((id) => ({ id, streaming: null, players: bySubscription(id) }));
  } else {
    out = [];
  }

  return {
    ok: true,
    url,
    fetchedAt,
    streamerCount: st.value.streamer_count,
    playerCount: st.value.player_count,
    streamers: out,
    version: st.value.version ?? null,
  };
}
