// Past probes: show one again, export it (JSON, CSV, HTML report — built by the
// core, downloaded here), or compare two side by side (another server, another build).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProbeRun, ProbeSummary } from '../../../../shared/probe';
import { resultSentence, type ProbeExport, type ReportLang } from '../../../../shared/probe-report';
import { num, quoteArgs } from '../../ui/format';
import { run as call, useStore } from '../../store';
import { ProbeChart } from './ProbeChart';

/** Saves what the core built as a file: works the same in a browser and in the Electron window. */
export function download(ex: ProbeExport): void {
  const url = URL.createObjectURL(new Blob([ex.content], { type: `${ex.mime};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = ex.filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

async function exportRun(id: string, format: 'json' | 'csv' | 'html', lang: ReportLang, compareId?: string) {
  const ex = await call((tr) => tr.invoke('probe.export', { id, format, lang, ...(compareId ? { compareId } : {}) }));
  if (ex) download(ex);
}

function Compare({ a, b, lang }: { a: ProbeRun; b: ProbeRun; lang: ReportLang }) {
  const { t } = useTranslation();
  const facts = (r: ProbeRun): [string, string][] => [
    [t('probe.fact.capacity'), r.result ? `${r.result.limitedBy === 'maxInstances' ? '≥ ' : ''}${r.result.capacity}` : '—'],
    [t('probe.fact.limitedBy'), r.result ? `${t(`probe.res.${r.result.limitedBy}`)}${r.result.limitAt !== null && r.result.limitedBy !== 'maxInstances' ? ` @ ${r.result.limitAt}` : ''}` : '—'],
    [t('probe.fact.host'), r.host.hostname],
    [t('probe.fact.cpu'), `${r.host.cpuModel} · ${r.host.cores}`],
    [t('probe.fact.ram'), `${(r.host.memoryMB / 1024).toFixed(1)} GB`],
    [t('probe.fact.gpus'), r.host.gpus.map((g) => g.name).join(', ') || '—'],
    [t('probe.fact.os'), r.host.os],
    [t('probe.fact.app'), r.app.name],
    [t('probe.fact.args'), quoteArgs(r.app.args) || '—'],
    [t('probe.fact.thresholds'), `CPU ${r.settings.thresholds.cpu} · GPU ${r.settings.thresholds.gpu} · RAM ${r.settings.thresholds.memory} %`],
    [t('probe.fact.method'), `${t(`probe.${r.settings.strategy}`)} · ${r.settings.warmupSec} + ${r.settings.settleSec} s`],
    [t('probe.fact.duration'), r.durationSec === null ? '—' : `${Math.round(r.durationSec)} s`],
  ];
  const fa = facts(a);
  const fb = facts(b);
  return (
    <section className="panel probe-compare" data-testid="probe-compare">
      <div className="probe-compare-head">
        <h3>{t('probe.compareTitle')}</h3>
        <button type="button" onClick={() => void exportRun(a.id, 'html', lang, b.id)} data-testid="probe-compare-report">
          ⤓ {t('probe.compareReport')}
        </button>
      </div>
      <div className="probe-compare-cols">
        {[a, b].map((r, k) => (
          <div key={r.id} className="probe-compare-col">
            <div className="probe-compare-tag">{k === 0 ? 'A' : 'B'}</div>
            <div className="probe-compare-big">
              {r.result ? `${r.result.limitedBy === 'maxInstances' ? '≥ ' : ''}${r.result.capacity}` : '—'}
              <span className="muted"> {t('probe.capacity', { count: r.result?.capacity ?? 0 })}</span>
            </div>
            <p className="probe-sentence small">{resultSentence(r, lang)}</p>
            <ProbeChart run={r} points={[]} height={220} />
          </div>
        ))}
      </div>
      <table className="instances probe-compare-table">
        <tbody>
          {fa.map(([k, va], i) => {
            const vb = fb[i]![1];
            const diff = va !== vb;
            return (
              <tr key={k}>
                <th>{k}</th>
                <td className={diff ? 'diff' : ''}>{va}</td>
                <td className={diff ? 'diff' : ''}>{vb}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export function ProbeHistory({ refreshKey, lang, shownId, onShow }: { refreshKey: number; lang: ReportLang; shownId: string | null; onShow(run: ProbeRun | null): void }) {
  const { t, i18n } = useTranslation();
  const [items, setItems] = useState<ProbeSummary[] | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [pair, setPair] = useState<[ProbeRun, ProbeRun] | null>(null);
  const connection = useStore((s) => s.connection);

  useEffect(() => {
    if (connection !== 'open') return;
    void call((tr) => tr.invoke('probe.history', {})).then((h) => h && setItems(h));
  }, [refreshKey, connection]);

  useEffect(() => {
    if (picked.length !== 2) {
      setPair(null);
      return;
    }
    void Promise.all(picked.map((id) => call((tr) => tr.invoke('probe.get', { id })))).then(([a, b]) => a && b && setPair([a, b]));
  }, [picked]);

  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p.slice(-1), id]));
  const remove = async (id: string) => {
    if (!window.confirm(t('probe.confirmDelete'))) return;
    if (await call((tr) => tr.invoke('probe.delete', { id }))) {
      setItems((xs) => xs?.filter((x) => x.id !== id) ?? null);
      setPicked((p) => p.filter((x) => x !== id));
      if (shownId === id) onShow(null);
    }
  };
  const show = async (id: string) => {
    const r = await call((tr) => tr.invoke('probe.get', { id }));
    if (r) {
      onShow(r);
      window.scrollTo({ top: 0, behavior: 'smooth' });
    }
  };

  return (
    <>
      <section className="panel probe-history">
        <div className="probe-compare-head">
          <h3>{t('probe.history')}</h3>
          <span className="muted small">{t('probe.compareHint')}</span>
        </div>
        {items && items.length === 0 && <div className="empty">{t('probe.historyEmpty')}</div>}
        {items && items.length > 0 && (
          <table className="instances" data-testid="probe-history">
            <thead>
              <tr>
                <th>{t('probe.col.compare')}</th>
                <th>{t('probe.col.when')}</th>
                <th>{t('probe.fact.app')}</th>
                <th>{t('probe.fact.host')}</th>
                <th>{t('probe.fact.capacity')}</th>
                <th>{t('probe.fact.limitedBy')}</th>
                <th>{t('probe.fact.duration')}</th>
                <th>{t('probe.col.export')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {items.map((h) => (
                <tr key={h.id} className={shownId === h.id ? 'selected' : ''} data-testid="probe-history-row" data-id={h.id}>
                  <td>
                    <input type="checkbox" checked={picked.includes(h.id)} onChange={() => toggle(h.id)} aria-label={t('probe.col.compare')} data-testid="probe-pick" />
                  </td>
                  <td className="nowrap">{new Date(h.startedAt).toLocaleString(i18n.language)}</td>
                  <td>{h.appName}</td>
                  <td>{h.hostname}</td>
                  <td className="num strong">
                    {h.capacity === null ? <span className="badge muted">{t(`probe.state.${h.state}`)}</span> : h.limitedBy === 'maxInstances' ? `≥ ${h.capacity}` : h.capacity}
                  </td>
                  <td>{h.limitedBy ? t(`probe.res.${h.limitedBy}`) : '—'}</td>
                  <td className="num">{h.durationSec === null ? '—' : `${num(h.durationSec, 0)} s`}</td>
                  <td className="actions">
                    <button type="button" onClick={() => void exportRun(h.id, 'html', lang)} data-testid="probe-export-html" title={t('probe.exportHtmlHint')}>
                      ⤓ {t('probe.exportHtml')}
                    </button>
                    <button type="button" onClick={() => void exportRun(h.id, 'csv', lang)} data-testid="probe-export-csv">
                      CSV
                    </button>
                    <button type="button" onClick={() => void exportRun(h.id, 'json', lang)} data-testid="probe-export-json">
                      JSON
                    </button>
                  </td>
                  <td className="actions">
                    <button type="button" onClick={() => void show(h.id)} data-testid="probe-show">
                      {t('probe.show')}
                    </button>
                    <button type="button" className="danger" onClick={() => void remove(h.id)} data-testid="probe-delete">
                      {t('probe.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {pair && <Compare a={pair[0]} b={pair[1]} lang={lang} />}
    </>
  );
}
