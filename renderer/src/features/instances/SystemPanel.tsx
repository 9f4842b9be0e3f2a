import { memo, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { GpuDevice, Snapshot } from '../../../../shared/contract';
import { useStore } from '../../store';
import { num } from '../../ui/format';
import { LiveChart, type Point } from '../../ui/charts';
import { perSample } from '../../ui/per-sample';
import { DeliveredCard } from '../streams/stream-parts';

function Card({
  title,
  value,
  unit,
  sub,
  children,
  testId,
  muted,
  liveSub,
}: {
  title: string;
  value: string;
  unit?: string;
  sub?: React.ReactNode;
  children?: React.ReactNode;
  testId?: string;
  muted?: boolean;
  /** The sub line changes with each sample: a box of its own for layout (see .fig). */
  liveSub?: boolean;
}) {
  return (
    <section className={`card${muted ? ' muted' : ''}`} data-testid={testId}>
      <h3>{title}</h3>
      <div className="big">
        {value}
        {unit && <span className="unit">{unit}</span>}
      </div>
      {sub && <div className={liveSub ? 'sub live' : 'sub'}>{sub}</div>}
      {children}
    </section>
  );
}

type T = ReturnType<typeof useTranslation>['t'];

function gpuMemory(g: GpuDevice, t: T): string | null {
  const gb = (mb: number) => (mb / 1024).toFixed(1);
  if (g.memoryUsedMB === null) return null;
  return g.memoryTotalMB === null ? t('system.gpuMemoryUsed', { used: gb(g.memoryUsedMB) }) : t('system.gpuMemory', { used: gb(g.memoryUsedMB), total: gb(g.memoryTotalMB) });
}

/** "2 / 8 sessions · GeForce", "2 sessions · no cap (data centre)", "no hardware encoder (data centre)". */
function encoderSessions(g: GpuDevice, t: T): string {
  const cls = t(`system.cardClass.${g.cardClass}`);
  const sessions = g.encoderSessions ?? '—';
  if (g.encoderSessionLimit === 0) return t('system.noEncoder', { cls });
  if (g.encoderSessionLimit !== null) return t('system.sessionsOfLimit', { sessions, limit: g.encoderSessionLimit, cls });
  if (g.cardClass === 'professional' || g.cardClass === 'datacentre') return t('system.sessionsNoCap', { sessions, cls });
  return t('system.sessionsCapUnknown', { sessions, cls });
}

interface GpuCardProps {
  g: GpuDevice;
  stale: boolean | undefined;
  source: string | undefined;
  /** Age of the reading in whole seconds (as shown): a card re-renders when the shown figure changes. */
  ageS: number;
}

/** Re-rendered only when one of its figures changes: its lines are four i18next lookups. */
const GpuCard = memo(
  function GpuCard({ g, stale, source, ageS }: GpuCardProps) {
    const { t } = useTranslation();
    return (
      <Card
        title={`GPU ${g.index} · ${g.name}`}
        testId={`card-gpu-${g.index}`}
        value={num(g.utilization, 0)}
        unit="%"
        muted={stale}
        liveSub
        sub={
          <span title={source ? t('system.gpuSource', { source, age: num(ageS, 0) }) : undefined}>
            {g.memoryUsedMB !== null && (
              <>
                {gpuMemory(g, t)}
                <br />
              </>
            )}
            {t('system.encoder', { util: num(g.encoderUtilization, 0) })}
            {' · '}
            <span data-testid={`gpu-sessions-${g.index}`} title={t('system.sessionsWhy')}>
              {encoderSessions(g, t)}
            </span>
            {stale && <span className="badge warn"> {t('system.gpuStale', { age: num(ageS, 0) })}</span>}
          </span>
        }
      />
    );
  },
  (a, b) => a.stale === b.stale && a.source === b.source && a.ageS === b.ageS && (Object.keys(a.g) as (keyof GpuDevice)[]).every((k) => a.g[k] === b.g[k]),
);

const cpuPoint = perSample((s: Snapshot): Point => ({ t: s.t, cpu: s.system.cpu, mem: s.system.memory.percent }));
const netPoint = perSample((s: Snapshot): Point => ({ t: s.t, rx: s.system.net.ok ? s.system.net.value.rxMbps : null, tx: s.system.net.ok ? s.system.net.value.txMbps : null }));

export function SystemPanel() {
  const { t } = useTranslation();
  const latest = useStore((s) => s.latest);
  const history = useStore((s) => s.history);
  const host = useStore((s) => s.host);
  const sys = latest?.system;

  const { cpuData, netData } = useMemo(() => ({ cpuData: history.map(cpuPoint), netData: history.map(netPoint) }), [history]);

  // Labels that change only with the language or host: i18next lookups cost more than the rest of a re-render.
  const label = useMemo(
    () => ({
      cpu: `${t('system.cpu')} · ${t('system.cpuUnit')}`,
      cpuSub: host ? `${host.cpuModel} · ${t('system.cores', { count: host.cores })}` : undefined,
      memory: t('system.memory'),
      network: t('system.network'),
      disk: t('system.disk'),
      cpuChart: t('system.cpuChart'),
      netChart: t('system.netChart'),
      cpuSeries: [
        { key: 'cpu', label: t('system.cpu'), color: '#22d3ee' },
        { key: 'mem', label: t('system.memory'), color: '#a78bfa' },
      ],
      netSeries: [
        { key: 'tx', label: t('system.tx'), color: '#34d399' },
        { key: 'rx', label: t('system.rx'), color: '#fbbf24' },
      ],
    }),
    [t, host],
  );
  const gpus = latest?.gpus;
  return (
    <div className="system">
      <div className="cards">
        <Card title={label.cpu} value={num(sys?.cpu, 0)} unit="%" testId="card-cpu" sub={label.cpuSub}>
          <div className="cores" aria-label="per-core load">
            {/* One element per core, its load a custom property of its gradient: a scaled bar inside
                a rounded overflow clip was 2 ms of each update's 10 (bench:ui, the bars left out). */}
            {sys?.cores.map((c, k) => (
              <span key={k} className={c > 85 ? 'core hot' : 'core'} title={`core ${k}: ${num(c, 0)} %`} style={{ '--load': `${Math.max(2, Math.min(100, c)).toFixed(1)}%` } as React.CSSProperties} />
            ))}
          </div>
        </Card>
        <Card
          title={label.memory}
          value={num(sys?.memory.percent, 0)}
          unit="%"
          testId="card-memory"
          liveSub
          sub={sys ? `${(sys.memory.usedMB / 1024).toFixed(1)} / ${(sys.memory.totalMB / 1024).toFixed(1)} GB` : undefined}
        />
        <Card
          title={label.network}
          testId="card-network"
          liveSub
          value={sys?.net.ok ? num(sys.net.value.txMbps, 1) : '—'}
          unit="Mbps ↑"
          muted={!sys?.net.ok}
          sub={sys ? (sys.net.ok ? `↓ ${num(sys.net.value.rxMbps, 1)} Mbps` : t('system.notMeasured', { reason: sys.net.reason })) : undefined}
        />
        <Card
          title={label.disk}
          testId="card-disk"
          liveSub
          value={sys?.disk.ok ? num(sys.disk.value.writeMBps + sys.disk.value.readMBps, 1) : '—'}
          unit="MB/s"
          muted={!sys?.disk.ok}
          sub={
            sys ? (sys.disk.ok ? t('system.free', { free: num(sys.disk.value.freeGB, 0), total: num(sys.disk.value.totalGB, 0) }) : t('system.notMeasured', { reason: sys.disk.reason })) : undefined
          }
        />
        {gpus?.ok ? (
          gpus.value.map((g) => <GpuCard key={g.index} g={g} stale={gpus.stale} source={gpus.source} ageS={Math.round((gpus.ageMs ?? 0) / 1000)} />)
        ) : (
          <Card title={t('system.gpu')} testId="card-gpu" value="—" muted sub={gpus ? t('system.gpuNotMeasured', { reason: gpus.reason }) : undefined} />
        )}
        <DeliveredCard />
      </div>
      <div className="charts-row">
        <div className="panel">
          <h4>{label.cpuChart}</h4>
          <LiveChart testId="chart-system-cpu" data={cpuData} unit="%" series={label.cpuSeries} threshold={85} />
        </div>
        <div className="panel">
          <h4>{label.netChart}</h4>
          <LiveChart testId="chart-system-net" data={netData} unit="Mbps" yMax="auto" series={label.netSeries} />
        </div>
      </div>
    </div>
  );
}
