// The admission settings. The form shows the settings in force; a field the admin
// edits keeps its text (a draft) until Apply, so live updates never overwrite typing.
// Apply checks the edits against the command's schema and shows what is wrong by its
// field; a refusal the server gives for another reason is the form's.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { create } from 'zustand';
import type { AdmissionConfig, AdmissionSnapshot } from '../../../../shared/admission-rules';
import { expandPlaceholders } from '../../../../shared/placeholders';
import { run, useStore } from '../../store';
import { checkSettings, NO_PROBLEMS, parseNum, refusalText, useProblemText, type Problems } from './parts';
import { TextField } from '../../ui/Field';

/** The settings this form edits (paused and draining have their own buttons). */
type Key = Exclude<keyof AdmissionConfig, 'paused' | 'draining'>;

/** Kept across view switches: half-typed settings survive a look at another view. */
export const useSettingsDraft = create<{ draft: Partial<Record<Key, string>>; problems: Problems; set(k: Key, v: string, current: string): void; clear(): void; setProblems(p: Problems): void }>(
  (set) => ({
    draft: {},
    problems: NO_PROBLEMS,
    set: (k, v, current) =>
      set((s) => {
        const draft = { ...s.draft };
        if (v === current) delete draft[k];
        else draft[k] = v;
        const fields = { ...s.problems.fields };
        delete fields[k];
        return { draft, problems: { ...s.problems, fields } };
      }),
    clear: () => set({ draft: {}, problems: NO_PROBLEMS }),
    setProblems: (problems) => set({ problems }),
  }),
);

const shown = (c: AdmissionConfig, k: Key) => String(c[k]);

function linkPreview(template: string, n: number): { url: string | null; error: string | null } {
  if (!template.trim()) return { url: null, error: null };
  try {
    return { url: expandPlaceholders(template, { n, i: n - 1, gpu: 0, count: 1 }), error: null };
  } catch (e) {
    return { url: null, error: (e as Error).message };
  }
}

export function Settings({ snap }: { snap: AdmissionSnapshot }) {
  const { t } = useTranslation();
  const toast = useStore((s) => s.toast);
  const problemText = useProblemText();
  const { draft, problems, set, clear, setProblems } = useSettingsDraft();
  const [busy, setBusy] = useState(false);
  const c = snap.config;
  const value = (k: Key) => draft[k] ?? shown(c, k);
  const edit = (k: Key) => (v: string) => set(k, v, shown(c, k));
  const dirty = Object.keys(draft).length;
  const err = (k: Key) => problemText(problems.fields[k]);
  const running = snap.seats.filter((s) => s.running).length;

  const apply = async () => {
    if (busy) return;
    const checked = checkSettings(draft);
    if (!checked.ok) {
      setProblems(checked.problems);
      return;
    }
    const patch = checked.patch;
    if (!Object.keys(patch).length) return;
    setBusy(true);
    let failed = false;
    const r = await run(
      (tr) => tr.submit('admission.set', patch),
      (e) => {
        failed = true;
        setProblems({ fields: {}, form: refusalText(e) });
      },
    );
    setBusy(false);
    if (r && !failed) {
      useStore.setState({ admission: r });
      clear();
      toast('info', t('sess.applied'));
    }
  };

  const seatsFrom = value('seatsFrom') as AdmissionConfig['seatsFrom'];
  const policy = value('policy') as AdmissionConfig['policy'];
  const template = value('linkTemplate');
  const previews = [1, 2].map((n) => ({ n, ...linkPreview(template, n) }));
  const bitrate = parseNum(value('bitrateMbps'));
  const uplink = parseNum(value('uplinkMbps'));
  const cap = bitrate && uplink && bitrate > 0 ? Math.floor(uplink / bitrate + 1e-9) : null;

  return (
    <form
      className="panel sess-section sess-settings"
      aria-labelledby="sess-settings-title"
      data-testid="sess-settings"
      onSubmit={(e) => {
        e.preventDefault();
        void apply();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          void apply();
        }
      }}
    >
      <header className="sess-section-head">
        <div>
          <h3 id="sess-settings-title">{t('sess.settingsTitle')}</h3>
          <p className="muted">{t('sess.settingsSubtitle')}</p>
        </div>
        <div className="buttons">
          {dirty > 0 && (
            <span className="sess-dirty" data-testid="sess-dirty">
              {t('sess.unsaved', { count: dirty })}
            </span>
          )}
          <button type="button" onClick={clear} disabled={dirty === 0 || busy} data-testid="sess-revert">
            {t('sess.revert')}
          </button>
          <button type="submit" className="primary" disabled={dirty === 0 || busy} title="Ctrl+Enter" data-testid="sess-apply">
            {t('sess.apply')} <kbd>Ctrl+Enter</kbd>
          </button>
        </div>
      </header>

      {(problems.form || Object.keys(problems.fields).length > 0) && (
        <div className="sess-alert bad" role="alert" data-testid="sess-form-error">
          <strong>{t('sess.refused')}</strong>
          <span>{problems.form ?? t('sess.refusedFields')}</span>
        </div>
      )}

      <div className="sess-settings-grid">
        <fieldset className="sess-group sess-seats-from">
          <legend>{t('sess.seatsFrom')}</legend>
          <div className="sess-choices" role="radiogroup" aria-label={t('sess.seatsFrom')}>
            {(['instances', 'probe', 'manual'] as const).map((k) => (
              <label key={k} className={`sess-choice${seatsFrom === k ? ' on' : ''}`}>
                <input type="radio" name="seatsFrom" value={k} checked={seatsFrom === k} onChange={() => set('seatsFrom', k, c.seatsFrom)} data-testid={`sess-from-${k}`} />
                <span>
                  <strong>{t(`sess.from.${k}`)}</strong>
                  <span className="hint">
                    {k === 'instances'
                      ? t('sess.from.instancesHint', { count: running })
                      : k === 'probe'
                        ? snap.probeCapacity === null
                          ? t('sess.from.probeNone')
                          : t('sess.from.probeHint', { n: snap.probeCapacity })
                        : t('sess.from.manualHint')}
                  </span>
                </span>
              </label>
            ))}
          </div>
          <div className="sess-row">
            <TextField
              label={t('sess.seats')}
              value={value('seats')}
              onChange={edit('seats')}
              error={err('seats')}
              testId="sess-seats-input"
              disabled={seatsFrom !== 'manual'}
              hint={seatsFrom !== 'manual' ? t('sess.seatsManualOnly') : t('sess.seatsHint')}
            />
            <TextField
              label={t('sess.spectatorsPer')}
              value={value('spectatorsPerInstance')}
              onChange={edit('spectatorsPerInstance')}
              error={err('spectatorsPerInstance')}
              testId="sess-spectators-input"
              hint={t('sess.spectatorsPerHint')}
            />
            <TextField
              label={t('sess.heartbeat')}
              unit="s"
              value={value('heartbeatTimeoutSec')}
              onChange={edit('heartbeatTimeoutSec')}
              error={err('heartbeatTimeoutSec')}
              testId="sess-heartbeat-input"
              hint={t('sess.heartbeatHint')}
            />
          </div>
        </fieldset>

        <fieldset className="sess-group">
          <legend>{t('sess.bwGroup')}</legend>
          <div className="sess-row two">
            <TextField
              label={t('sess.bitrate')}
              unit="Mbps"
              value={value('bitrateMbps')}
              onChange={edit('bitrateMbps')}
              error={err('bitrateMbps')}
              testId="sess-bitrate-input"
              hint={t('sess.bitrateHint')}
            />
            <TextField
              label={t('sess.uplink')}
              unit="Mbps"
              value={value('uplinkMbps')}
              onChange={edit('uplinkMbps')}
              error={err('uplinkMbps')}
              testId="sess-uplink-input"
              hint={cap !== null ? t('sess.uplinkHint', { count: cap }) : ' '}
            />
          </div>
          <div className="sess-choices" role="radiogroup" aria-label={t('sess.policy')}>
            {(['capped', 'open'] as const).map((k) => (
              <label key={k} className={`sess-choice${policy === k ? ' on' : ''}`}>
                <input type="radio" name="policy" value={k} checked={policy === k} onChange={() => set('policy', k, c.policy)} data-testid={`sess-policy-${k}`} />
                <span>
                  <strong>{t(k === 'capped' ? 'sess.policyCapped' : 'sess.policyOpen')}</strong>
                  <span className="hint">{t(k === 'capped' ? 'sess.policyCappedHint' : 'sess.policyOpenHint')}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>

        <fieldset className="sess-group sess-links">
          <legend>{t('sess.linksGroup')}</legend>
          <TextField
            label={t('sess.link')}
            value={template}
            onChange={edit('linkTemplate')}
            error={err('linkTemplate')}
            testId="sess-link-input"
            mono
            inputMode="url"
            placeholder="http://render-01:{8080+i}/"
            hint={t('sess.linkHint')}
          >
            {template.trim() !== '' && !err('linkTemplate') && (
              <div className="sess-preview" data-testid="sess-link-preview">
                {previews[0]!.error ? (
                  <span className="error">{previews[0]!.error}</span>
                ) : (
                  previews.map((p) => (
                    <code key={p.n}>
                      #{p.n} → {p.url}
                    </code>
                  ))
                )}
              </div>
            )}
          </TextField>
          <TextField
            label={t('sess.wilbur')}
            value={value('wilburUrl')}
            onChange={edit('wilburUrl')}
            error={err('wilburUrl')}
            testId="sess-wilbur-input"
            mono
            inputMode="url"
            placeholder="http://render-01:80"
            hint={t('sess.wilburHint')}
          />
        </fieldset>
      </div>
    </form>
  );
}
