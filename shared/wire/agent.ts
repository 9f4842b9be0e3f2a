// The agent's admin wire (electron/server/api.ts ↔ renderer/src/transport/web.ts and
// scripts): where the commands and the event socket are, how the token travels, and
// the messages on the socket. The commands themselves are the contract (shared/contract.ts).
import { z } from 'zod';
import type { ApiErrorBody, AppEvent, CommandName } from '../contract';

export const API_PREFIX = '/api/v1';
/** POST a command's payload as JSON; the answer is {"data": …} or {"error": …}. */
export const commandPath = (name: CommandName): string => `${API_PREFIX}/commands/${name}`;
/** The event socket: every core event as it happens, the current state first. */
export const EVENTS_PATH = `${API_PREFIX}/events`;
/** WebSocket subprotocol of the event socket. */
export const WS_PROTOCOL = 'streamcap.v1';
/** A browser cannot set headers on a WebSocket: the token travels as a second subprotocol, `streamcap-token.<token>`. */
export const TOKEN_PROTOCOL_PREFIX = 'streamcap-token.';
export const eventSocketProtocols = (token: string): string[] => [WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`];

/**
 * What a client may send on the socket: a command (answered by a `result` with the same
 * id; the web console sends its commands this way while the socket is open) or a ping.
 * Anything else is answered with an error frame.
 */
export const AgentClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('invoke'), id: z.number().int().nonnegative(), name: z.string().max(64), payload: z.unknown() }).strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);
export type AgentClientMessage = z.infer<typeof AgentClientMessageSchema>;

export type AgentServerMessage =
  | { type: 'event'; event: AppEvent }
  | { type: 'result'; id: number; ok: true; data: unknown }
  | { type: 'result'; id: number; ok: false; error: ApiErrorBody['error'] }
  | { type: 'error'; error: ApiErrorBody['error'] }
  | { type: 'pong' };
