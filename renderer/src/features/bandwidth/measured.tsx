// What this server measured, offered where people plan: the bitrate StreamCap's viewers
// received per stream over the last minute (beside the bitrate presets), and the latest
// probe's capacity (beside the planner's streams per server). One click uses it.
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProbeSummary } from '../../../../shared/probe';
import { num } from '../../ui/format';
import { run, useStore } from '../../store';

/** Mean Mbps per measured stream over the last `seconds` of samples; null when nothing was measured. */
export function useMeasuredBitrate(seconds = 60): { mbps: number; streams: number } | null {
  const history = useStore((s) => s.history);
  return useMemo(() => {
    let sum = 0;
    let n = 0;
    const ids = new Set<string>();
    for (let k = Math.max(0, history.length - seconds); k < history.length; k++) {
      for (const i of history[k]!.instances) {
        if (!i.stream?.ok) continue;
        sum += i.stream.value.mbps;
        n++;
        ids.add(i.id);
      }
    }
    return n ? { mbps: Math.round((sum / n) * 100) / 100, streams: ids.size } : null;
  }, [history, seconds]);
}

export function MeasuredBitrate({ onUse, testId }: { onUse: (mbps: number) => void; testId: string }) {
  const { t } = useTranslation();
  const m = useMeasuredBitrate();
  if (!m) return null;
  return (
    <p className="measured" data-testid={testId}>
      {t('bw.measured', { mbps: num(m.mbps, 2), count: m.streams })}{' '}
      <button type="button" className="link" onClick={() => onUse(m.mbps)}>
        {t('bw.useIt')}
      </button>
    </p>
  );
}

export function useLatestCapacity(): ProbeSummary | null {
  const [latest, setLatest] = useState<ProbeSummary | null>(null);
  const probe = useStore((s) => s.probe);
  useEffect(() => {
    void run(
      (tr) => tr.invoke('probe.history', {}),
      () => undefined,
    ).then((list) => {
      const done = (list ?? []).filter((p) => p.capacity !== null).sort((a, b) => b.startedAt - a.startedAt);
      setLatest(done[0] ?? null);
    });
  }, [probe?.run.state]);
  return latest;
}

export function LatestCapacity({ onUse, testId }: { onUse: (n: number) => void; testId: string }) {
  const { t } = useTranslation();
  const p = useLatestCapacity();
  if (!p || p.capacity === null) return null;
  return (
    <p className="measured" data-testid={testId}>
      {t('bw.probeCapacity', { count: p.capacity, app: p.appName, host: p.hostname })}{' '}
      <button type="button" className="link" onClick={() => onUse(p.capacity!)}>
        {t('bw.useIt')}
      </button>
    </p>
  );
}
