import type { AppEvent, CommandInput, CommandName, CommandOutputs } from '../../../shared/contract';
import type { PreloadApi } from '../../../shared/wire/ipc';

export type ConnectionState = 'connecting' | 'open' | 'closed' | 'unauthorized';

/** What the UI needs from its door: IPC inside Electron, HTTP + WebSocket in a browser. */
export interface Transport {
  readonly kind: 'electron' | 'web';
  invoke<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandOutputs[K]>;
  /** A form's payload as a person typed it: the core's schema is the check, and its issues come back per field (CommandError.issues). */
  submit<K extends CommandName>(name: K, payload: unknown): Promise<CommandOutputs[K]>;
  subscribe(onEvent: (e: AppEvent) => void, onState: (s: ConnectionState) => void): () => void;
}

/** An error the core returned: code and the message to show. */
export class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly issues: string[] = [],
  ) {
    super(message);
  }
}

/** How long a console waits before it reconnects, after `retry` failed tries (0.5 s doubling, at most 10 s). */
export function reconnectDelayMs(retry: number): number {
  return Math.min(10000, 500 * 2 ** Math.min(retry, 5));
}

export type { PreloadApi };

declare global {
  interface Window {
    streamcap?: PreloadApi;
  }
}
