import type { AppEvent, CommandName } from '../../../shared/contract';
import { CommandError, type ConnectionState, type PreloadApi, type Transport } from './types';

export class ElectronTransport implements Transport {
  readonly kind = 'electron' as const;
  constructor(private readonly api: PreloadApi) {}

  submit<K extends CommandName>(name: K, payload: unknown): Promise<never> {
    return this.invoke(name, payload);
  }

  async invoke<K extends CommandName>(name: K, input: unknown): Promise<never> {
    const r = await this.api.invoke(name, input ?? {});
    if (!r.ok) throw new CommandError(r.error.code, r.error.message, r.error.issues);
    return r.data as never;
  }

  subscribe(onEvent: (e: AppEvent) => void, onState: (s: ConnectionState) => void): () => void {
    onState('open');
    return this.api.onEvent(onEvent);
  }
}
