// A small JSON-over-HTTP client for the fleet's calls to member agents: keep-alive
// sockets (a front door relays many joins), a deadline on every request, and answers
// as {status, body} so callers decide what a 404 or a 503 means.
import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';

export interface JsonAnswer {
  status: number;
  body: unknown;
}

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };

/** One request; rejects on a network error or when the deadline passes (the socket is dropped). */
export function requestJson(method: string, url: string, body: unknown, headers: Record<string, string> = {}, timeoutMs = 3000): Promise<JsonAnswer> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      {
        method,
        agent: u.protocol === 'https:' ? agents.https : agents.http,
        headers: { accept: 'application/json', ...(text !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 8 << 20) req.destroy(new Error('answer too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const raw = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = null;
          try {
            parsed = raw ? JSON.parse(raw) : null;
          } catch {
            parsed = raw;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer from ${u.host} within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(text);
  });
}

/** The message of an API error body, or the status. */
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export function errorText(a: JsonAnswer): string {
  const e = ErrorBody.safeParse(a.body);
  return e.success ? e.data.error.message : `HTTP ${a.status}`;
}

/** The error code of an API error body (not_found, unavailable, …), or null. */
export function errorCode(a: JsonAnswer): string | null {
  const e = ErrorBody.safeParse(a.body);
  return e.success ? e.data.error.code : null;
}
