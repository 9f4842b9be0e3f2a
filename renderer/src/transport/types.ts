import type { AppEvent, CommandInput, CommandName, CommandOutputs } from '../../../shared/contract';

export type ConnectionState = 'connecting' | 'open' | 'closed' | 'unauthorized';

/** What the UI needs from its door: IPC inside Electron, HTTP + WebSocket in a browser. */
export interface Transport {
  readonly kind: 'electron' | 'web';
  invoke<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandOutputs[K]>;
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

/** The narrow API the Electron preload exposes (see electron/main/preload.ts). */
export interface PreloadApi {
  invoke(name: string, payload: unknown): Promise<{ ok: true; data: unknown } | { ok: false; error: { code: string; message: string; issues?: string[] } }>;
  onEvent(listener: (e: AppEvent) => void): () => void;
  locale: string;
}

declare global {
  interface Window {
    streamcap?: PreloadApi;
  }
}
