import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Profile } from '../../../../shared/contract';
import { expandPlaceholders, instanceContext } from '../../../../shared/placeholders';
import { quoteArgs } from '../../ui/format';
import { CommandError } from '../../transport/types';
import { run, useStore } from '../../store';
import { issuesByField } from './profile-form';
import { Field } from '../../ui/Field';

interface Form {
  id: string;
  name: string;
  exe: string;
  args: string;
  cwd: string;
  env: string;
  staggerSec: string;
  gpuPinning: boolean;
  autoRestart: boolean;
  maxRetries: string;
  copy: boolean;
  sourceDir: string;
  targetDir: string;
  signallingUrl: string;
  streamerId: string;
  playerUrl: string;
  viewers: string;
  isNew: boolean;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48) || 'profile';

function toForm(p: Profile | null, existing: string[]): Form {
  if (!p)
    return {
      id: '',
      name: '',
      exe: '',
      args: '',
      cwd: '',
      env: '',
      staggerSec: '2',
      gpuPinning: false,
      autoRestart: false,
      maxRetries: '3',
      copy: false,
      sourceDir: '',
      targetDir: '',
      signallingUrl: '',
      streamerId: 'stream{n}',
      playerUrl: '',
      viewers: '1',
      isNew: true,
    };
  const copyOfBuiltin = !!p.builtin;
  let id = p.id;
  if (copyOfBuiltin) {
    id = `${p.id}-copy`;
    for (let k = 2; existing.includes(id); k++) id = `${p.id}-copy-${k}`;
  }
  return {
    id,
    name: copyOfBuiltin ? `${p.name} (copy)` : p.name,
    exe: p.exe,
    args: p.args.join('\n'),
    cwd: p.cwd,
    env: Object.entries(p.env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    staggerSec: String(p.staggerSec),
    gpuPinning: p.gpuPinning,
    autoRestart: p.autoRestart.enabled,
    maxRetries: String(p.autoRestart.maxRetries),
    copy: p.copy.enabled,
    sourceDir: p.copy.sourceDir,
    targetDir: p.copy.targetDir,
    signallingUrl: p.stream.signallingUrl,
    streamerId: p.stream.streamerId || 'stream{n}',
    playerUrl: p.stream.playerUrl,
    viewers: String(p.stream.viewers),
    isNew: copyOfBuiltin,
  };
}

/** Form → payload. Arguments are one per line, kept exactly (spaces and quotes included). */
function toPayload(f: Form): unknown {
  const env: Record<string, string> = {};
  for (const line of f.env.split('\n')) {
    if (!line.trim()) continue;
    const eq = line.indexOf('=');
    env[eq < 0 ? line.trim() : line.slice(0, eq).trim()] = eq < 0 ? '' : line.slice(eq + 1);
  }
  return {
    id: f.id || slug(f.name),
    name: f.name,
    exe: f.exe,
    args: f.args === '' ? [] : f.args.split('\n'),
    cwd: f.cwd,
    env,
    staggerSec: Number(f.staggerSec),
    gpuPinning: f.gpuPinning,
    autoRestart: { enabled: f.autoRestart, maxRetries: Number(f.maxRetries) },
    copy: { enabled: f.copy, sourceDir: f.sourceDir, targetDir: f.targetDir },
    stream: { signallingUrl: f.signallingUrl.trim(), streamerId: f.signallingUrl.trim() ? f.streamerId : '', playerUrl: f.playerUrl.trim(), viewers: Number(f.viewers) },
  };
}

/** Instances 1 and 2 of the stream templates, as StreamCap will use them. */
function StreamPreview({ form }: { form: Form }) {
  const { t } = useTranslation();
  const lines = useMemo(() => {
    if (!form.signallingUrl.trim()) return [];
    try {
      return [0, 1].map((i) => {
        const x = (s: string) => expandPlaceholders(s, instanceContext(i, 2, 2));
        return t('profile.streamPreviewLine', { n: i + 1, ss: x(form.signallingUrl), id: x(form.streamerId), player: form.playerUrl ? x(form.playerUrl) : '—' });
      });
    } catch (e) {
      return [(e as Error).message];
    }
  }, [form.signallingUrl, form.streamerId, form.playerUrl, t]);
  if (lines.length === 0) return null;
  return (
    <div className="preview">
      <span className="label">{t('profile.streamPreview')}</span>
      {lines.map((l, k) => (
        <code key={k} data-testid={`stream-preview-${k + 1}`}>
          {l}
        </code>
      ))}
    </div>
  );
}

function Preview({ form }: { form: Form }) {
  const { t } = useTranslation();
  const lines = useMemo(() => {
    try {
      const args = form.args === '' ? [] : form.args.split('\n');
      return [0, 1].map((i) => `${form.exe} ${quoteArgs(args.map((a) => expandPlaceholders(a, instanceContext(i, 2, 2))))}`);
    } catch (e) {
      return [(e as Error).message];
    }
  }, [form.exe, form.args]);
  return (
    <div className="preview">
      <span className="label">{t('profile.preview')}</span>
      {lines.map((l, k) => (
        <code key={k} data-testid={`preview-${k + 1}`}>
          {l}
        </code>
      ))}
    </div>
  );
}

function Editor({ initial, onDone }: { initial: Form; onDone: () => void }) {
  const { t } = useTranslation();
  const toast = useStore((s) => s.toast);
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const save = async () => {
    setErrors({});
    const r = await run(
      (tr) => tr.submit('profiles.save', toPayload(form)),
      (e) => {
        const issues = e instanceof CommandError ? e.issues : [];
        setErrors(issuesByField(issues));
        toast('error', issues.length ? t('profile.invalid') : e.message);
      },
    );
    if (r) {
      toast('info', t('profile.saved', { name: r.name }));
      onDone();
    }
  };
  return (
    <form
      className="editor panel"
      data-testid="profile-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void save();
        if (e.key === 'Escape') onDone();
      }}
    >
      <div className="grid2">
        <Field label={t('profile.name')} error={errors.name}>
          <input value={form.name} onChange={(e) => set('name', e.target.value)} data-testid="pf-name" autoFocus />
        </Field>
        <Field label={t('profile.id')} error={errors.id}>
          <input value={form.id} placeholder={slug(form.name)} disabled={!form.isNew} onChange={(e) => set('id', e.target.value)} data-testid="pf-id" />
        </Field>
      </div>
      <Field label={t('profile.exe')} error={errors.exe} hint={t('profile.exeHint')}>
        <input value={form.exe} onChange={(e) => set('exe', e.target.value)} className="mono" data-testid="pf-exe" />
      </Field>
      <Field label={t('profile.args')} error={errors.args} hint={t('profile.argsHint')}>
        <textarea value={form.args} rows={5} onChange={(e) => set('args', e.target.value)} className="mono" data-testid="pf-args" spellCheck={false} />
      </Field>
      <Preview form={form} />
      <div className="grid2">
        <Field label={t('profile.cwd')} error={errors.cwd}>
          <input value={form.cwd} onChange={(e) => set('cwd', e.target.value)} className="mono" data-testid="pf-cwd" />
        </Field>
        <Field label={t('profile.stagger')} error={errors.staggerSec}>
          <input type="number" min={0} max={600} step={0.5} value={form.staggerSec} onChange={(e) => set('staggerSec', e.target.value)} data-testid="pf-stagger" />
        </Field>
      </div>
      <Field label={t('profile.env')} error={errors.env}>
        <textarea value={form.env} rows={2} onChange={(e) => set('env', e.target.value)} className="mono" spellCheck={false} data-testid="pf-env" />
      </Field>
      <div className="checks">
        <label>
          <input type="checkbox" checked={form.gpuPinning} onChange={(e) => set('gpuPinning', e.target.checked)} /> {t('profile.gpuPinning')}
        </label>
        <label>
          <input type="checkbox" checked={form.autoRestart} onChange={(e) => set('autoRestart', e.target.checked)} data-testid="pf-autorestart" /> {t('profile.autoRestart')}
        </label>
        {form.autoRestart && (
          <label>
            {t('profile.maxRetries')} <input type="number" min={1} max={100} value={form.maxRetries} onChange={(e) => set('maxRetries', e.target.value)} className="small" /> {t('profile.retries')}
          </label>
        )}
        <label>
          <input type="checkbox" checked={form.copy} onChange={(e) => set('copy', e.target.checked)} /> {t('profile.copy')}
        </label>
      </div>
      {form.copy && (
        <div className="grid2">
          <Field label={t('profile.sourceDir')} error={errors.copy} hint={t('profile.copyHint')}>
            <input value={form.sourceDir} onChange={(e) => set('sourceDir', e.target.value)} className="mono" />
          </Field>
          <Field label={t('profile.targetDir')}>
            <input value={form.targetDir} onChange={(e) => set('targetDir', e.target.value)} className="mono" />
          </Field>
        </div>
      )}
      <fieldset className="stream-settings">
        <legend>{t('profile.stream')}</legend>
        <p className="hint">{t('profile.streamHint')}</p>
        <div className="grid2">
          <Field label={t('profile.signallingUrl')} error={errors['stream.signallingUrl']} hint={t('profile.signallingHint')}>
            <input value={form.signallingUrl} onChange={(e) => set('signallingUrl', e.target.value)} className="mono" placeholder="ws://127.0.0.1:80" data-testid="pf-signalling" />
          </Field>
          <Field label={t('profile.streamerId')} error={errors['stream.streamerId']} hint={t('profile.streamerIdHint')}>
            <input value={form.streamerId} onChange={(e) => set('streamerId', e.target.value)} className="mono" data-testid="pf-streamer-id" />
          </Field>
        </div>
        <div className="grid2">
          <Field label={t('profile.playerUrl')} error={errors['stream.playerUrl']} hint={t('profile.playerUrlHint')}>
            <input value={form.playerUrl} onChange={(e) => set('playerUrl', e.target.value)} className="mono" placeholder="http://render-01/?StreamerId=stream{n}" data-testid="pf-player-url" />
          </Field>
          <Field label={t('profile.viewers')} error={errors['stream.viewers']} hint={t('profile.viewersHint')}>
            <input type="number" min={0} max={8} value={form.viewers} onChange={(e) => set('viewers', e.target.value)} data-testid="pf-viewers" />
          </Field>
        </div>
        <StreamPreview form={form} />
      </fieldset>
      <div className="buttons">
        <button type="submit" className="primary" data-testid="pf-save">
          {t('profile.save')}
        </button>
        <button type="button" onClick={onDone}>
          {t('profile.cancel')}
        </button>
        <span className="hint">Ctrl+Enter</span>
      </div>
    </form>
  );
}

export function ProfilesView() {
  const { t } = useTranslation();
  const profiles = useStore((s) => s.profiles);
  const editingId = useStore((s) => s.editingProfileId);
  const editProfile = useStore((s) => s.editProfile);
  const toast = useStore((s) => s.toast);
  const [editing, setEditing] = useState<Form | null>(null);
  const ids = profiles.map((p) => p.id);
  const open = (p: Profile | null) => setEditing(toForm(p, ids));
  if (editingId && !editing) {
    const p = profiles.find((x) => x.id === editingId);
    if (p) open(p);
    editProfile(null);
  }
  return (
    <div className="profiles">
      <div className="toolbar">
        <h2>{t('profile.title')}</h2>
        <button className="primary" onClick={() => open(null)} data-testid="new-profile">
          + {t('profile.new')}
        </button>
      </div>
      {editing && <Editor key={editing.id + editing.isNew} initial={editing} onDone={() => setEditing(null)} />}
      <ul className="profile-list">
        {profiles.map((p) => (
          <li key={p.id} className="panel" data-testid={`profile-${p.id}`}>
            <div>
              <strong>{p.name}</strong> {p.builtin && <span className="badge info">{t('profile.demo')}</span>}
              <div className="mono sub">
                {p.exe} {quoteArgs(p.args)}
              </div>
            </div>
            <div className="actions">
              {!p.builtin && <button onClick={() => open(p)}>{t('profile.edit')}</button>}
              <button onClick={() => setEditing(toForm({ ...p, builtin: true }, ids))}>{t('profile.duplicate')}</button>
              {!p.builtin && (
                <button
                  className="danger"
                  onClick={() => {
                    if (window.confirm(t('profile.confirmDelete', { name: p.name })))
                      void run((tr) => tr.invoke('profiles.delete', { id: p.id })).then((r) => r && toast('info', t('profile.deleted')));
                  }}
                >
                  {t('profile.delete')}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
