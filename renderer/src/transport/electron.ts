import type { AppEvent, CommandName } from '../../../shared/contract';
import type { IpcResult } from '../../../shared/wire/ipc';
import { CommandError, reconnectDelayMs, type ConnectionState, type PreloadApi, type Transport } from './types';

function unwrap(r: IpcResult): never {
  if (!r.ok) throw new CommandError(r.error.code, r.error.message, r.error.issues);
  return r.data as never;
}

export class ElectronTransport implements Transport {
  readonly kind = 'electron' as const;
  constructor(private readonly api: PreloadApi) {}

  submit<K extends CommandName>(name: K, payload: unknown): Promise<never> {
    return this.invoke(name, payload);
  }

  async invoke<K extends CommandName>(name: K, input: unknown): Promise<never> {
    return unwrap(await this.api.invoke(name, input ?? {}));
  }

  subscribe(onEvent: (e: AppEvent) => void, onState: (s: ConnectionState) => void): () => void {
    onState('open');
    return this.api.onEvent(onEvent);
  }
}

/**
 * A fleet member's console in place, in the desktop app: the same console, its commands
 * and events relayed by main (electron/main/member-relay.ts) with the member's token.
 * A lost member is shown as such and watched again with the web console's backoff.
 */
export class ElectronMemberTransport implements Transport {
  readonly kind = 'electron' as const;
  constructor(
    private readonly api: PreloadApi,
    private readonly member: string,
  ) {}

  submit<K extends CommandName>(name: K, payload: unknown): Promise<never> {
    return this.invoke(name, payload);
  }

  async invoke<K extends CommandName>(name: K, input: unknown): Promise<never> {
    return unwrap(await this.api.member.invoke(this.member, name, input ?? {}));
  }

  subscribe(onEvent: (e: AppEvent) => void, onState: (s: ConnectionState) => void): () => void {
    let closed = false;
    let retry = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let unwatch = () => {};
    const connect = () => {
      onState('connecting');
      unwatch = this.api.member.watch(this.member, (m) => {
        if ('event' in m) onEvent(m.event);
        else if (m.state === 'open') {
          retry = 0;
          onState('open');
        } else {
          unwatch();
          if (closed) return;
          onState('closed'); // the Fleet view shows why (its row has the member's error)
          timer = setTimeout(connect, reconnectDelayMs(retry++));
        }
      });
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(timer);
      unwatch();
    };
  }
}
