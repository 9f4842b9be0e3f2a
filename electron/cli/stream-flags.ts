// The stream flags of `launch` and `probe` (--signalling, --streamer-id, --viewers).
// Apart from args.ts, which `--help` loads: this one brings in the contract's schemas.
import { StreamSettingsSchema, type StreamSettings } from '../../shared/contract';
import { UsageError } from './args';

/** The stream flags as a profile's stream settings, validated by the same schema as the console's editor. */
export function parseStreamFlags(signalling: string | undefined, streamerId: string | undefined, playerUrl: string | undefined, viewers: number): StreamSettings | null {
  if (!signalling) return null;
  const r = StreamSettingsSchema.safeParse({ signallingUrl: signalling, streamerId: streamerId ?? 'stream{n}', playerUrl: playerUrl ?? '', viewers });
  if (!r.success)
    throw new UsageError(
      r.error.issues
        .map(
          (i) =>
            `--${({ signallingUrl: 'signalling', streamerId: 'streamer-id', playerUrl: 'player-url', viewers: 'viewers' } as Record<string, string>)[String(i.path[0])] ?? 'stream'}: ${i.message}`,
        )
        .join('\n'),
    );
  return r.data;
}
