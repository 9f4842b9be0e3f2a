import type { AppEvent, CommandInput, CommandName, CommandOutputs } from '../../../shared/contract';
import type { PreloadApi } from '../../../shared/wire/ipc';

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

export type { PreloadApi };

declare global {
  interface Window {
    streamcap?: PreloadApi;
  }
}
