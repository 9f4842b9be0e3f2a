// The fleet: one row per render server, live (pushed by the core every second), sorted
// and filtered; a server that drops off shows as offline within 5 s with its figures
// gone, never frozen. Actions per server: launch N of a profile, stop all, drain; the
// name opens that server's console in place (relayed by this agent, with its token).
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { parseAgentLink, type FleetMemberView, type MemberState } from '../../../../shared/wire/fleet';
import { run, useStore } from '../../store';
import { useNow } from './fleet-parts';

type SortKey = 'name' | 'state' | 'stress' | 'cpu' | 'seatsFree' | 'waiting' | 'placed';
const STATE_ORDER: Record<MemberState, number> = { online: 0, stale: 1, offline: 2 };

const pct = (x: number | null) => (x == null ? '—' : `${Math.round(x * 100)} %`);

function sortValue(m: FleetMemberView, k: SortKey): number | string {
  switch (k) {
    case 'name':
      return m.name;
    case 'state':
      return STATE_ORDER[m.state];
    case 'stress':
      return m.stress ?? Infinity;
    case 'cpu':
      return m.cpu ?? Infinity;
    case 'seatsFree':
      return m.seats?.free ?? -1;
    case 'waiting':
      return m.waiting ?? -1;
    case 'placed':
      return m.placed;
  }
}

function AddServer() {
  const { t } = useTranslation();
  const [link, setLink] = useState('');
  const [name, setName] = useState('');
  const [host, setHost] = useState('');
  const [port, setPort] = useState('7420');
  const [token, setToken] = useState('');
  const toast = useStore((s) => s.toast);
  const pasted = link.trim() !== '';
  const linkOk = !pasted || parseAgentLink(link) !== null;
  const submit = async () => {
    const payload = pasted
      ? { link: link.trim(), ...(name.trim() ? { name: name.trim() } : {}) }
      : { host: host.trim(), port: Number(port), token: token.trim(), ...(name.trim() ? { name: name.trim() } : {}) };
    const r = await run((tr) => tr.invoke('fleet.add', payload));
    if (r) {
      toast('info', t('fleet.added', { name: r.name }));
      setLink('');
      setName('');
      setToken('');
    }
  };
  return (
    <form
      className="panel fleet-add"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      data-testid="fleet-add"
    >
      <h4>{t('fleet.addTitle')}</h4>
      <div className="fleet-add-row">
        <input
          className="mono grow"
          value={link}
          onChange={(e) => setLink(e.target.value)}
          placeholder={t('fleet.linkPlaceholder')}
          aria-label={t('fleet.link')}
          data-testid="fleet-link"
          aria-invalid={!linkOk}
        />
        <span className="muted">{t('fleet.or')}</span>
        <input value={host} onChange={(e) => setHost(e.target.value)} placeholder={t('fleet.host')} aria-label={t('fleet.host')} disabled={pasted} />
        <input className="num short" value={port} onChange={(e) => setPort(e.target.value)} aria-label={t('fleet.port')} disabled={pasted} />
        <input className="mono" value={token} onChange={(e) => setToken(e.target.value)} placeholder={t('fleet.token')} aria-label={t('fleet.token')} disabled={pasted} type="password" />
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('fleet.namePlaceholder')} aria-label={t('fleet.name')} />
        <button className="primary" type="submit" disabled={!linkOk || (!pasted && (!host.trim() || !token.trim()))} data-testid="fleet-add-submit">
          {t('fleet.add')}
        </button>
      </div>
      {!linkOk && <div className="field-error">{t('fleet.badLink')}</div>}
    </form>
  );
}

function Actions({ m }: { m: FleetMemberView }) {
  const { t } = useTranslation();
  const profiles = useStore((s) => s.profiles);
  const [profileId, setProfileId] = useState('');
  const [count, setCount] = useState('1');
  const toast = useStore((s) => s.toast);
  const pid = profileId || profiles[0]?.id || '';
  const offline = m.state === 'offline';
  const launch = async () => {
    const r = await run((tr) => tr.invoke('fleet.launch', { server: m.name, profileId: pid, count: Number(count) }));
    if (r) toast('info', t('fleet.launched', { count: r.ids.length, name: m.name }));
  };
  const rename = async () => {
    const to = window.prompt(t('fleet.renamePrompt', { name: m.name }), m.name)?.trim();
    if (to && to !== m.name) await run((tr) => tr.invoke('fleet.rename', { server: m.name, to }));
  };
  const remove = async () => {
    if (window.confirm(t('fleet.removeConfirm', { name: m.name }))) await run((tr) => tr.invoke('fleet.remove', { server: m.name }));
  };
  return (
    <div className="fleet-actions">
      <div className="fleet-actions-row">
        <select value={pid} onChange={(e) => setProfileId(e.target.value)} aria-label={t('fleet.profile')} disabled={offline}>
          {profiles.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <input className="num short" value={count} onChange={(e) => setCount(e.target.value)} aria-label={t('fleet.count')} disabled={offline} />
        <button type="button" onClick={() => void launch()} disabled={offline || !pid} data-testid="fleet-launch">
          {t('fleet.launch')}
        </button>
      </div>
      <div className="fleet-actions-row">
        <button type="button" onClick={() => void run((tr) => tr.invoke('fleet.stopAll', { server: m.name }))} disabled={offline} data-testid="fleet-stop-all">
          {t('fleet.stopAll')}
        </button>
        <button
          type="button"
          className={m.draining ? 'active' : ''}
          onClick={() => void run((tr) => tr.invoke('fleet.drain', { server: m.name, draining: !m.draining }))}
          disabled={offline}
          title={t('fleet.drainHint')}
          data-testid="fleet-drain"
        >
          {m.draining ? t('fleet.undrain') : t('fleet.drain')}
        </button>
        <button type="button" onClick={() => void rename()} aria-label={t('fleet.renameName', { name: m.name })}>
          ✎
        </button>
        <button type="button" className="danger" onClick={() => void remove()} aria-label={t('fleet.removeName', { name: m.name })}>
          ✕
        </button>
      </div>
    </div>
  );
}

function Row({ m, now }: { m: FleetMemberView; now: number }) {
  const { t } = useTranslation();
  const transport = useStore((s) => s.transport);
  const age = m.lastHeardAt === null ? null : Math.max(0, Math.round((now - m.lastHeardAt) / 1000));
  const cls = m.state === 'online' ? 'ok' : m.state === 'stale' ? 'warn' : 'bad';
  const stressCls = m.stress == null ? '' : m.stress >= 1 ? 'bad' : m.stress >= 0.8 ? 'warn' : 'ok';
  return (
    <tr data-testid="fleet-row" data-name={m.name} data-state={m.state} className={m.state}>
      <td>
        {transport && m.state !== 'offline' ? (
          <a href={`?server=${encodeURIComponent(m.name)}`} className="fleet-open" title={t('fleet.openHint', { name: m.name })} data-testid="fleet-open">
            {m.name}
          </a>
        ) : (
          <strong>{m.name}</strong>
        )}
        <div className="muted small mono">
          {m.hostname ? `${m.hostname} · ` : ''}
          {m.url}
        </div>
      </td>
      <td>
        <span className={`badge ${cls}`} data-testid="fleet-state">
          {t(`fleet.state.${m.state}`)}
        </span>
        {m.draining && <span className="badge info">{t('fleet.draining')}</span>}
        <div className="muted small">{age === null ? t('fleet.neverHeard') : t('fleet.heard', { age })}</div>
        {m.error && m.state !== 'online' && (
          <div className="muted small fleet-error" title={m.error}>
            {m.error}
          </div>
        )}
      </td>
      <td className={`num stress ${stressCls}`} data-testid="fleet-stress">
        {m.stress == null ? '—' : m.stress.toFixed(2)}
      </td>
      <td className="num">{pct(m.cpu)}</td>
      <td className="num">{pct(m.gpu)}</td>
      <td className="num">{pct(m.encoder)}</td>
      <td className="num">{m.instances ? `${m.instances.running} / ${m.instances.total}` : '—'}</td>
      <td className="num">{m.probeCapacity ?? '—'}</td>
      <td className="num" data-testid="fleet-seats">
        {m.seats ? t('fleet.seatsValue', { used: m.seats.used, free: m.seats.free }) : '—'}
      </td>
      <td className="num">{m.waiting ?? '—'}</td>
      <td className="num">{m.placed}</td>
      <td className="num">{m.streams?.fps != null ? `${m.streams.fps.toFixed(0)} fps · ${m.streams.bitrateMbps?.toFixed(1)} Mbps` : '—'}</td>
      <td>
        <Actions m={m} />
      </td>
    </tr>
  );
}

export function FleetView() {
  const { t } = useTranslation();
  const fleet = useStore((s) => s.fleet);
  const now = useNow(1000);
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'name', dir: 1 });
  const [filter, setFilter] = useState('');
  const [stateFilter, setStateFilter] = useState<'all' | MemberState>('all');
  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const list = (fleet?.members ?? []).filter(
      (m) => (stateFilter === 'all' || m.state === stateFilter) && (!f || m.name.toLowerCase().includes(f) || m.url.toLowerCase().includes(f) || (m.hostname ?? '').toLowerCase().includes(f)),
    );
    return [...list].sort((a, b) => {
      const x = sortValue(a, sort.key);
      const y = sortValue(b, sort.key);
      return (x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : 1) * sort.dir;
    });
  }, [fleet, filter, stateFilter, sort]);
  const head = (key: SortKey | null, label: string) => (
    <th aria-sort={key && sort.key === key ? (sort.dir === 1 ? 'ascending' : 'descending') : undefined}>
      {key ? (
        <button type="button" className="th-sort" onClick={() => setSort((s) => ({ key, dir: s.key === key ? (s.dir === 1 ? -1 : 1) : 1 }))} data-testid={`fleet-sort-${key}`}>
          {label} {sort.key === key ? (sort.dir === 1 ? '▲' : '▼') : ''}
        </button>
      ) : (
        label
      )}
    </th>
  );
  const counts = { online: 0, stale: 0, offline: 0 };
  for (const m of fleet?.members ?? []) counts[m.state]++;
  return (
    <div className="fleet" data-testid="fleet-view">
      <div className="fleet-summary">
        <div className="panel">
          <h4>{t('fleet.servers')}</h4>
          <div className="big">{fleet?.members.length ?? 0}</div>
          <div className="muted small">{t('fleet.summary', counts)}</div>
        </div>
        {fleet?.frontDoor && (
          <div className="panel" data-testid="fleet-front-door">
            <h4>{t('fleet.frontDoor')}</h4>
            <div className="big">{t('fleet.lineValue', { waiting: fleet.frontDoor.waiting, placed: fleet.frontDoor.placed })}</div>
            <div className="muted small">{t('fleet.placementP99', { ms: fleet.frontDoor.placementP99Ms == null ? '—' : fleet.frontDoor.placementP99Ms.toFixed(2) })}</div>
          </div>
        )}
        <div className="panel grow">
          <h4>{t('fleet.stressTitle')}</h4>
          <div className="muted small">{t('fleet.stressHint')}</div>
        </div>
      </div>
      <AddServer />
      <div className="fleet-filter">
        <input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder={t('fleet.filter')} aria-label={t('fleet.filter')} data-testid="fleet-filter" />
        <select
          value={stateFilter}
          onChange={(e) => setStateFilter(e.target.value === 'all' ? 'all' : e.target.value === 'online' ? 'online' : e.target.value === 'stale' ? 'stale' : 'offline')}
          aria-label={t('fleet.stateFilter')}
          data-testid="fleet-state-filter"
        >
          <option value="all">{t('fleet.allStates')}</option>
          <option value="online">{t('fleet.state.online')}</option>
          <option value="stale">{t('fleet.state.stale')}</option>
          <option value="offline">{t('fleet.state.offline')}</option>
        </select>
      </div>
      {rows.length === 0 ? (
        <div className="panel muted" data-testid="fleet-empty">
          {fleet?.members.length ? t('fleet.noMatch') : t('fleet.empty')}
        </div>
      ) : (
        <div className="table-scroll">
          <table className="instances fleet-table" data-testid="fleet-table">
            <thead>
              <tr>
                {head('name', t('fleet.col.server'))}
                {head('state', t('fleet.col.state'))}
                {head('stress', t('fleet.col.stress'))}
                {head('cpu', t('fleet.col.cpu'))}
                {head(null, t('fleet.col.gpu'))}
                {head(null, t('fleet.col.encoder'))}
                {head(null, t('fleet.col.instances'))}
                {head(null, t('fleet.col.capacity'))}
                {head('seatsFree', t('fleet.col.seats'))}
                {head('waiting', t('fleet.col.waiting'))}
                {head('placed', t('fleet.col.placed'))}
                {head(null, t('fleet.col.streams'))}
                {head(null, t('fleet.col.actions'))}
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <Row key={m.name} m={m} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** The banner of a member's console opened in place: whose it is, and the way back. */
export function MemberBanner({ name }: { name: string }) {
  const { t } = useTranslation();
  return (
    <div className="member-banner" data-testid="member-banner">
      {t('fleet.memberConsole', { name })}{' '}
      <a href={window.location.pathname} data-testid="member-back">
        {t('fleet.back')}
      </a>
    </div>
  );
}
