// The people's wire: the sessions API and socket that the waiting room (renderer/src/wait),
// streaming front-ends and the agent's sessions door (electron/server/sessions.ts) speak.
// No admin token: end users call it.
//
//   POST   /api/v1/sessions            {"name", "want"} → 201 SessionView
//   GET    /api/v1/sessions/:id        → SessionView (counts as a heartbeat)
//   DELETE /api/v1/sessions/:id        → {"left": id}
//   WS     /api/v1/sessions/:id/socket → {"type":"session", session} on every change,
//                                        {"type":"ended", reason} at the end; the client
//                                        sends {"type":"ping"} or {"type":"leave"}
import { z } from 'zod';
import { WANTS, type LeaveReason, type SessionView } from '../admission-rules';

export const SESSIONS_PATH = '/api/v1/sessions';
/** A session id as the server makes them (base64url), and as every side checks them. */
export const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** The routes: /api/v1/sessions, /api/v1/sessions/:id, /api/v1/sessions/:id/socket (match[1] the id, match[2] the socket). */
export const SESSION_ROUTE = /^\/api\/v1\/sessions(?:\/([A-Za-z0-9_-]{1,64}))?(\/socket)?\/?$/;
export const sessionPath = (id: string): string => `${SESSIONS_PATH}/${encodeURIComponent(id)}`;
export const sessionSocketPath = (id: string): string => `${sessionPath(id)}/socket`;
/** The waiting-room page. */
export const WAIT_PATH = '/wait';

/** Largest join body, bytes (413 beyond). */
export const SESSION_BODY_LIMIT = 4096;
/** Largest socket message, bytes (the socket is closed with 1009 beyond). */
export const SESSION_MESSAGE_LIMIT = 1024;
/** Sockets one session may hold open (a page reloading); the oldest is closed beyond. */
export const SOCKETS_PER_SESSION = 4;

/** The join body. */
export const JoinSchema = z
  .object({
    name: z.string().trim().min(1, 'name is required').max(64, 'name: at most 64 characters'),
    want: z.enum(WANTS),
  })
  .strict();
export type JoinRequest = z.infer<typeof JoinSchema>;

/** Why a session ended, as the server says it: left, timed out, kicked by the host (LeaveReason), or the server closed. */
export type EndReason = LeaveReason | 'closed';

/** What a person's socket is told: their view, or that their session ended and why. */
export type SessionNotice = { type: 'session'; session: SessionView } | { type: 'ended'; reason: EndReason };
export type SessionServerMessage = SessionNotice | { type: 'pong' } | { type: 'error'; error: { code: string; message: string } };

export const SessionClientMessageSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('ping') }).strict(), z.object({ type: z.literal('leave') }).strict()]);
export type SessionClientMessage = z.infer<typeof SessionClientMessageSchema>;
