// The join form: a name and how to join (three radio cards). Enter submits,
// arrow keys move between the cards, errors are said in words next to the button.
import { useId, type FormEvent, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import type { Want } from './api';
import type { Translate } from './i18n';
import { IconAlert, IconEye, IconGamepad, IconShuffle } from './parts';

export const NAME_MAX = 64;

const OPTIONS: { id: Want; title: 'wantOperateTitle' | 'wantWatchTitle' | 'wantAnyTitle'; text: 'wantOperateText' | 'wantWatchText' | 'wantAnyText'; Icon: typeof IconEye }[] = [
  { id: 'operate', title: 'wantOperateTitle', text: 'wantOperateText', Icon: IconGamepad },
  { id: 'watch', title: 'wantWatchTitle', text: 'wantWatchText', Icon: IconEye },
  { id: 'any', title: 'wantAnyTitle', text: 'wantAnyText', Icon: IconShuffle },
];

export interface JoinFormProps {
  t: Translate;
  name: string;
  want: Want;
  onName(name: string): void;
  onWant(want: Want): void;
  onSubmit(): void;
  busy: boolean;
  /** Seconds left before another try is allowed (after a 429). */
  retryIn: number;
  error: string | null;
  /** Is the error about the name (marks the field invalid)? */
  nameInvalid: boolean;
  /** Shown above the form (e.g. "your place has expired"). */
  notice: ReactNode;
  nameRef: RefObject<HTMLInputElement | null>;
  headingId: string;
}

export function JoinForm(p: JoinFormProps) {
  const { t } = p;
  const uid = useId();
  const nameId = `${uid}-name`;
  const hintId = `${uid}-hint`;
  const errId = `${uid}-err`;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!p.busy && p.retryIn <= 0) p.onSubmit();
  };
  // Enter on a radio card submits too (browsers differ on implicit submission there).
  const enterSubmits = (e: KeyboardEvent<HTMLFieldSetElement>) => {
    if (e.key === 'Enter' && (e.target as HTMLInputElement).type === 'radio') {
      e.preventDefault();
      (e.target as HTMLInputElement).form?.requestSubmit();
    }
  };

  return (
    <form className="wr-form" onSubmit={submit} noValidate data-testid="wait-form" aria-labelledby={p.headingId}>
      <div className="wr-eyebrow">{t('joinEyebrow')}</div>
      <h1 id={p.headingId} className="wr-title">
        {t('joinTitle')}
      </h1>
      <p className="wr-lead">{t('joinLead')}</p>
      {p.notice}

      <div className="wr-field">
        <label htmlFor={nameId}>{t('nameLabel')}</label>
        <input
          ref={p.nameRef}
          id={nameId}
          name="name"
          type="text"
          value={p.name}
          onChange={(e) => p.onName(e.target.value)}
          maxLength={NAME_MAX}
          autoComplete="nickname"
          enterKeyHint="go"
          spellCheck={false}
          placeholder={t('namePlaceholder')}
          aria-invalid={p.nameInvalid || undefined}
          aria-describedby={p.error && p.nameInvalid ? `${errId} ${hintId}` : hintId}
          data-testid="wait-name"
        />
        {p.error && p.nameInvalid ? (
          <div id={errId} className="wr-field-error" role="alert" data-testid="wait-error">
            <IconAlert />
            <span>{p.error}</span>
          </div>
        ) : null}
        <div id={hintId} className="wr-hint">
          {t('nameHint')}
        </div>
      </div>

      <fieldset className="wr-wants" onKeyDown={enterSubmits}>
        <legend>{t('wantLegend')}</legend>
        <div className="wr-want-grid">
          {OPTIONS.map(({ id, title, text, Icon }) => (
            <label key={id} className={`wr-want${p.want === id ? ' on' : ''}`} data-testid={`want-${id}`}>
              <input type="radio" name="want" value={id} checked={p.want === id} onChange={() => p.onWant(id)} />
              <span className="wr-want-icon">
                <Icon />
              </span>
              <span className="wr-want-body">
                <span className="wr-want-title">{t(title)}</span>
                <span className="wr-want-text">{t(text)}</span>
              </span>
              <span className="wr-want-tick" aria-hidden="true" />
            </label>
          ))}
        </div>
      </fieldset>

      {p.error && !p.nameInvalid && (
        <div className="wr-alert bad" role="alert" id={errId} data-testid="wait-error">
          <IconAlert />
          <span>{p.error}</span>
        </div>
      )}

      <button type="submit" className="wr-btn primary big" disabled={p.busy || p.retryIn > 0} aria-busy={p.busy || undefined} data-testid="wait-join">
        {p.busy ? <span className="wr-spinner" aria-hidden="true" /> : null}
        <span>{p.busy ? t('joining') : p.retryIn > 0 ? `${t('joinButton')} (${p.retryIn})` : t('joinButton')}</span>
      </button>
    </form>
  );
}
