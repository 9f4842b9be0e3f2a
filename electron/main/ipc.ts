// The IPC door: one handler for every command of the contract, which checks the
// sender (our own page, main frame) before anything else and lets the core validate
// the payload. It never throws across IPC: errors come back as data.
import { ApiError } from '../../shared/contract';
import type { IpcResult } from '../../shared/wire/ipc';

export const APP_ORIGIN = 'streamcap://app';

/** What the handler needs of Electron's WebFrameMain (kept minimal so tests can pass a plain object). */
export interface SenderFrame {
  url: string;
  parent: unknown | null;
}


export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  if (!frame || frame.parent) return false;
  try {
    const u = new URL(frame.url);
    return `${u.protocol}//${u.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}

export async function handleInvoke(
  invoke: (name: string, payload: unknown) => Promise<unknown>,
  frame: SenderFrame | null | undefined,
  name: unknown,
  payload: unknown,
): Promise<IpcResult> {
  try {
    if (!isTrustedSender(frame)) throw new ApiError('forbidden', `IPC from an untrusted sender (${frame?.url ?? 'no frame'}) was refused.`);
    if (typeof name !== 'string' || name.length > 64) throw new ApiError('unknown_command', 'Command name must be a string of at most 64 characters.');
    return { ok: true, data: await invoke(name, payload) };
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError('internal', (e as Error)?.message ?? String(e));
    return { ok: false, error: err.toJSON().error };
  }
}
