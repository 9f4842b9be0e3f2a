import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InstanceInfo, LogLine, Snapshot } from '../../../../shared/contract';
import { duration, num, quoteArgs } from '../../ui/format';
import { run, useStore } from '../../store';
import { LiveChart, type Point } from '../../ui/charts';
import { instanceSparks, LiveFig, LiveSparkline, sampleOf, useInView, useVisible } from '../../live';
import { ProfileSelect } from '../../ui/ProfileSelect';
import { perSample, perSampleAndId } from '../../ui/per-sample';
import { StreamCell, StreamCharts, type SeriesPoint } from '../streams/stream-parts';

const ACTIVE = new Set(['copying', 'starting', 'running', 'stopping', 'backoff']);

function LaunchBar() {
  const { t } = useTranslation();
  const profiles = useStore((s) => s.profiles);
  const instances = useStore((s) => s.instances);
  const toast = useStore((s) => s.toast);
  const [profileId, setProfileId] = useState('demo');
  const [count, setCount] = useState(3);
  const [busy, setBusy] = useState(false);
  const profile = profiles.find((p) => p.id === profileId) ?? profiles[0];
  const launch = async () => {
    if (!profile) return;
    setBusy(true);
    const r = await run((tr) => tr.invoke('instances.launch', { profileId: profile.id, count }));
    setBusy(false);
    if (r) toast('info', t('launch.launched', { count, name: profile.name }));
  };
  return (
    <form
      className="launchbar"
      onSubmit={(e) => {
        e.preventDefault();
        void launch();
      }}
    >
      <label>
        {t('launch.profile')}
        <ProfileSelect profiles={profiles} value={profile?.id ?? ''} onChange={setProfileId} testId="launch-profile" />
      </label>
      <label>
        {t('launch.count')}
        <input type="number" min={1} max={64} value={count} onChange={(e) => setCount(Math.max(1, Math.min(64, Number(e.target.value) || 1)))} data-testid="launch-count" />
      </label>
      <button type="submit" className="primary" disabled={busy || !profile} data-testid="launch-button">
        ▶ {t('launch.launch')}
      </button>
      <span className="spacer" />
      <button type="button" className="danger" disabled={!instances.some((i) => ACTIVE.has(i.state))} onClick={() => void run((tr) => tr.invoke('instances.stopAll', {}))} data-testid="stop-all">
        ■ {t('launch.stopAll')}
      </button>
      <button type="button" disabled={!instances.some((i) => !ACTIVE.has(i.state))} onClick={() => void run((tr) => tr.invoke('instances.clearExited', {}))}>
        {t('launch.clear')}
      </button>
    </form>
  );
}

function OrphanBanner() {
  const { t } = useTranslation();
  const orphans = useStore((s) => s.orphans);
  if (orphans.length === 0) return null;
  return (
    <div className="banner warn" role="alert" data-testid="orphans">
      <div>
        <strong>{t('orphans.title', { count: orphans.length })}</strong>
        <div className="sub">{t('orphans.body')}</div>
        <div className="sub mono">{orphans.map((o) => `#${o.n} ${o.profileName} (pid ${o.pid})`).join(' · ')}</div>
      </div>
      <button className="danger" onClick={() => void run((tr) => tr.invoke('orphans.resolve', { action: 'stop' }))}>
        {t('orphans.stop')}
      </button>
      <button onClick={() => void run((tr) => tr.invoke('orphans.resolve', { action: 'adopt' }))}>{t('orphans.adopt')}</button>
    </div>
  );
}

export const StateBadge = memo(function StateBadge({ info, inTable }: { info: Pick<InstanceInfo, 'n' | 'state' | 'copyProgress'>; inTable?: boolean }) {
  const { t } = useTranslation();
  const cls = { running: 'ok', starting: 'info', copying: 'info', stopping: 'info', backoff: 'warn', crashed: 'bad', failed: 'bad', exited: 'muted', stopped: 'muted' }[info.state];
  return (
    <span className={`badge ${cls}`} data-testid={inTable ? `state-${info.n}` : undefined} data-state={info.state}>
      {t(`state.${info.state}`)}
      {info.state === 'copying' && info.copyProgress && info.copyProgress.total > 0 && ` ${Math.floor((info.copyProgress.done / info.copyProgress.total) * 100)}%`}
    </span>
  );
});

/** An instance's sample in a snapshot, with the snapshot's time: one object per snapshot and instance (per-sample.ts). */
const seriesPoint = perSampleAndId((snap: Snapshot, id: string): SeriesPoint => ({ t: snap.t, s: snap.instances.find((i) => i.id === id) }));
const chartPoint = perSample((p: SeriesPoint): Point => ({ t: p.t, cpu: p.s?.cpu ?? null, mem: p.s?.memoryMB ?? null, gpu: p.s?.gpu.ok ? p.s.gpu.value : null }));

/** An instance's points over the history; while `live` is false, over the history as it was then. */
function useInstanceSeries(id: string | null, points: number, live = true): SeriesPoint[] {
  const held = useRef<Snapshot[]>([]);
  const history = useStore((s) => (live ? s.history : held.current));
  held.current = history;
  return useMemo(() => {
    const out: SeriesPoint[] = [];
    if (!id) return out;
    for (let k = Math.max(0, history.length - points); k < history.length; k++) out.push(seriesPoint(history[k]!, id));
    return out;
  }, [history, id, points]);
}

/** The row's buttons change only with its state: kept out of the per-second re-render. */
const RowActions = memo(function RowActions({ id, n, state, adopted }: { id: string; n: number; state: InstanceInfo['state']; adopted: boolean }) {
  const { t } = useTranslation();
  const select = useStore((s) => s.select);
  const active = ACTIVE.has(state);
  return (
    <>
      <button disabled={!active || state === 'stopping'} onClick={() => void run((tr) => tr.invoke('instances.stop', { id }))} data-testid={`stop-${n}`}>
        {t('inst.stop')}
      </button>
      <button disabled={adopted || state === 'copying' || state === 'stopping'} onClick={() => void run((tr) => tr.invoke('instances.restart', { id }))}>
        {t('inst.restart')}
      </button>
      <button onClick={() => select(id)} data-testid={`details-${n}`}>
        {t('inst.log')}
      </button>
    </>
  );
});

/** i18next's plural lookup is the dearest call of a row's re-render: done only when the count changes. */
const ProcessCount = memo(function ProcessCount({ count }: { count: number }) {
  const { t } = useTranslation();
  return <div className="reason">{t('inst.processes', { count })}</div>;
});

const NO_SPARK: (number | null)[] = [];

/**
 * One instance's row. A sample re-renders none of it: the figures and the sparkline write
 * themselves from the store (live.tsx). It re-renders when its instance, its selection or
 * the stream column changes, and when a sample changes the shape of a cell: the process
 * count, or whether the GPU is measured.
 */
const Row = memo(function Row({ info, selected, streams }: { info: InstanceInfo; selected: boolean; streams: boolean }) {
  const { t } = useTranslation();
  const select = useStore((s) => s.select);
  const { id } = info;
  const active = ACTIVE.has(info.state);
  // Out of view, its figures wait (live.tsx): written when it is scrolled back.
  const [ref, view] = useInView<HTMLTableRowElement>();
  const processes = useStore((s) => sampleOf(s.latest, id)?.processes ?? 0);
  // null: measured; a string: why not ('' before the first sample).
  const gpuReason = useStore((s) => {
    const g = sampleOf(s.latest, id)?.gpu;
    return g === undefined ? '' : g.ok ? null : g.reason;
  });
  return (
    <tr ref={ref} className={selected ? 'selected' : ''} data-testid={`instance-row-${info.n}`} onClick={() => select(id)}>
      <td className="num">{info.n}</td>
      <td>
        {info.profileName}
        {info.adopted && <span className="badge muted"> {t('inst.adopted')}</span>}
      </td>
      <td>
        <StateBadge info={info} inTable />
        {info.reason && (
          <div className="reason" title={info.lastLines.join('\n')}>
            {info.reason}
          </div>
        )}
      </td>
      <td className="num mono">{info.pid ?? '—'}</td>
      <td className="num" data-testid={`cpu-${info.n}`}>
        <LiveFig view={view} className="fig w6" text={(s) => num(sampleOf(s.latest, id)?.cpu, 1)} />
        {processes > 1 && <ProcessCount count={processes} />}
      </td>
      <td className="num">
        <LiveFig
          view={view}
          className="fig w9"
          text={(s) => {
            const mb = sampleOf(s.latest, id)?.memoryMB;
            return mb != null ? `${num(mb, 0)} MB` : '—';
          }}
        />
      </td>
      <td className="num">
        {gpuReason === null ? (
          <LiveFig
            view={view}
            className="fig w5"
            text={(s) => {
              const g = sampleOf(s.latest, id)?.gpu;
              return g?.ok ? `${num(g.value, 0)} %` : '—';
            }}
          />
        ) : (
          <span className="muted" title={gpuReason}>
            n/m
          </span>
        )}
      </td>
      {streams && (
        <td>
          <StreamCell info={info} />
        </td>
      )}
      <td className="num mono" data-testid={`uptime-${info.n}`}>
        <LiveFig view={view} className="fig w9" text={(s) => (active && info.startedAt && s.latest ? duration(s.latest.t - info.startedAt) : '—')} />
      </td>
      <td className="num">{info.restarts}</td>
      <td>
        <LiveSparkline view={view} values={(s) => instanceSparks(s.history).cpu.get(id) ?? NO_SPARK} />
      </td>
      <td className="actions" onClick={(e) => e.stopPropagation()}>
        <RowActions id={id} n={info.n} state={info.state} adopted={info.adopted} />
      </td>
    </tr>
  );
});

/** The header changes only when the stream column comes or goes: kept out of the per-second re-render. */
const InstanceTableHead = memo(function InstanceTableHead({ streams }: { streams: boolean }) {
  const { t } = useTranslation();
  return (
    <thead>
      <tr>
        <th>{t('inst.n')}</th>
        <th>{t('inst.profile')}</th>
        <th>{t('inst.state')}</th>
        <th>{t('inst.pid')}</th>
        <th title={t('inst.cpuUnit')}>
          {t('inst.cpu')} <span className="unit">{t('inst.cpuUnit')}</span>
        </th>
        <th>{t('inst.memory')}</th>
        <th>{t('inst.gpu')}</th>
        {streams && <th>{t('stream.column')}</th>}
        <th>{t('inst.uptime')}</th>
        <th>{t('inst.restarts')}</th>
        <th>{t('inst.trend')}</th>
        <th>{t('inst.actions')}</th>
      </tr>
    </thead>
  );
});

/** The instances and their live figures; re-rendered when the instances or the selection change, not per sample. */
function InstanceTable() {
  const { t } = useTranslation();
  const instances = useStore((s) => s.instances);
  const selectedId = useStore((s) => s.selectedId);
  const streams = instances.some((i) => i.stream && i.stream.viewers > 0);
  if (instances.length === 0) return <p className="empty">{t('launch.none')}</p>;
  return (
    <table className="instances" data-testid="instances">
      <InstanceTableHead streams={streams} />
      <tbody>
        {instances.map((i) => (
          <Row key={i.id} info={i} selected={i.id === selectedId} streams={streams} />
        ))}
      </tbody>
    </table>
  );
}

const LogView = memo(function LogView({ id }: { id: string }) {
  const { t } = useTranslation();
  const [log, setLog] = useState<{ lines: LogLine[]; droppedLines: number } | null>(null);
  useEffect(() => {
    let alive = true;
    const load = async () => {
      const r = await run(
        (tr) => tr.invoke('instances.log', { id }),
        () => undefined,
      );
      if (alive && r) setLog(r);
    };
    void load();
    const timer = setInterval(load, 1000);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [id]);
  const lines = log?.lines.slice(-300) ?? [];
  return (
    <div className="panel">
      <h4>
        {t('inst.logTitle', { count: lines.length })}
        {log && log.droppedLines > 0 && <span className="muted"> · {t('inst.dropped', { count: log.droppedLines })}</span>}
      </h4>
      <pre className="log" data-testid="instance-log" tabIndex={0}>
        {lines.length === 0
          ? t('inst.logEmpty')
          : lines.map((l, k) => (
              <div key={k} className={l.stream}>
                {l.text}
              </div>
            ))}
      </pre>
    </div>
  );
});

/** The detail's live charts: the only part of the detail a sample re-renders. */
const InstanceCharts = memo(function InstanceCharts({ info, visible }: { info: InstanceInfo; visible: boolean }) {
  const { t } = useTranslation();
  // Out of view (the detail scrolled away), the charts hold still: no re-render, no redraw.
  const series = useInstanceSeries(info.id, Infinity, visible);
  const data = useMemo<Point[]>(() => series.map(chartPoint), [series]);
  const last = series[series.length - 1]?.s;
  const label = useMemo(() => ({ cpu: t('inst.cpuChart'), mem: t('inst.memChart'), gpu: t('inst.gpuChart') }), [t]);
  const gpuReason = last && !last.gpu.ok ? last.gpu.reason : null;
  return (
    <>
      <div className="charts-row three">
        <div className="panel">
          <h4>{label.cpu}</h4>
          <LiveChart testId="chart-instance-cpu" data={data} unit="%" yMax="auto" series={CPU_SERIES} area height={150} />
        </div>
        <div className="panel">
          <h4>{label.mem}</h4>
          <LiveChart data={data} unit="MB" yMax="auto" series={MEM_SERIES} area height={150} />
        </div>
        <div className="panel">
          <h4>{label.gpu}</h4>
          {gpuReason !== null ? <GpuNotMeasured reason={gpuReason} /> : <LiveChart data={data} unit="%" series={GPU_SERIES} area height={150} />}
        </div>
      </div>
      <StreamCharts info={info} series={series} />
    </>
  );
});

const CPU_SERIES = [{ key: 'cpu', label: 'CPU', color: '#22d3ee' }];
const MEM_SERIES = [{ key: 'mem', label: 'RSS', color: '#a78bfa' }];
const GPU_SERIES = [{ key: 'gpu', label: 'GPU', color: '#34d399' }];

const GpuNotMeasured = memo(function GpuNotMeasured({ reason }: { reason: string }) {
  const { t } = useTranslation();
  return (
    <p className="not-measured" data-testid="instance-gpu-not-measured">
      {t('inst.gpuNotMeasured', { reason })}
    </p>
  );
});

const InstanceDetail = memo(function InstanceDetail({ info }: { info: InstanceInfo }) {
  const { t } = useTranslation();
  const select = useStore((s) => s.select);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && select(null);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [select]);
  const [ref, visible] = useVisible<HTMLElement>();
  return (
    <section className="detail" data-testid="instance-detail" ref={ref}>
      <header>
        <h3>
          {t('inst.charts', { n: info.n, name: info.profileName })} <StateBadge info={info} />
        </h3>
        <button onClick={() => select(null)} aria-label={t('inst.close')}>
          ✕
        </button>
      </header>
      <div className="mono cmd" title={t('inst.command')}>
        {info.exe} {quoteArgs(info.args)}
      </div>
      <InstanceCharts info={info} visible={visible} />
      <LogView id={info.id} />
    </section>
  );
});

export function InstancesView() {
  const instances = useStore((s) => s.instances);
  const selectedId = useStore((s) => s.selectedId);
  const selected = instances.find((i) => i.id === selectedId);
  return (
    <>
      <OrphanBanner />
      <LaunchBar />
      <InstanceTable />
      {selected && <InstanceDetail info={selected} />}
    </>
  );
}
