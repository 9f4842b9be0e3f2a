// Small pieces of the waiting room: the brand, the language switch, icons.
import type { ReactNode } from 'react';
import { LANGS, type Lang, type Translate } from './i18n';

export function BrandMark({ size = 28 }: { size?: number }) {
  return (
    <svg viewBox="0 0 64 64" width={size} height={size} aria-hidden="true" focusable="false">
      <defs>
        <linearGradient id="wr-brand" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#22d3ee" />
          <stop offset="1" stopColor="#6366f1" />
        </linearGradient>
      </defs>
      <rect x="2" y="2" width="60" height="60" rx="14" fill="#0b1220" />
      <rect x="2" y="2" width="60" height="60" rx="14" fill="none" stroke="url(#wr-brand)" strokeWidth="3" />
      <path d="M14 44 L24 34 L32 40 L44 24 L50 28" fill="none" stroke="url(#wr-brand)" strokeWidth="5" strokeLinecap="round" strokeLinejoin="round" />
      <rect x="14" y="14" width="8" height="5" rx="2" fill="#22d3ee" />
      <rect x="25" y="14" width="8" height="5" rx="2" fill="#38bdf8" />
      <rect x="36" y="14" width="8" height="5" rx="2" fill="#6366f1" />
    </svg>
  );
}

export function LangSwitch({ lang, onChange, t }: { lang: Lang; onChange: (l: Lang) => void; t: Translate }) {
  return (
    <div className="wr-lang" role="group" aria-label={t('language')}>
      {LANGS.map((l) => (
        <button
          key={l.code}
          type="button"
          lang={l.code}
          className={l.code === lang ? 'on' : ''}
          aria-pressed={l.code === lang}
          title={l.name}
          data-testid={`lang-${l.code}`}
          onClick={() => onChange(l.code)}
        >
          {l.label}
        </button>
      ))}
    </div>
  );
}

type IconProps = { className?: string };
const svg = (children: ReactNode, { className }: IconProps, viewBox = '0 0 24 24') => (
  <svg
    className={className}
    viewBox={viewBox}
    width="24"
    height="24"
    aria-hidden="true"
    focusable="false"
    fill="none"
    stroke="currentColor"
    strokeWidth="1.8"
    strokeLinecap="round"
    strokeLinejoin="round"
  >
    {children}
  </svg>
);

export const IconGamepad = (p: IconProps) =>
  svg(
    <>
      <path d="M6.5 8h11a4 4 0 0 1 3.9 4.9l-1 4.2a2.4 2.4 0 0 1-4.1 1.1L14 16h-4l-2.3 2.2a2.4 2.4 0 0 1-4.1-1.1l-1-4.2A4 4 0 0 1 6.5 8Z" />
      <path d="M8 11v3M6.5 12.5h3" />
      <circle cx="15.5" cy="11.5" r=".6" fill="currentColor" />
      <circle cx="17.5" cy="13.5" r=".6" fill="currentColor" />
    </>,
    p,
  );

export const IconEye = (p: IconProps) =>
  svg(
    <>
      <path d="M2.5 12s3.5-6.5 9.5-6.5S21.5 12 21.5 12 18 18.5 12 18.5 2.5 12 2.5 12Z" />
      <circle cx="12" cy="12" r="3" />
    </>,
    p,
  );

export const IconShuffle = (p: IconProps) =>
  svg(
    <>
      <path d="M3 7h4.5c2 0 3 1 4.5 3.5S15 14 17 14h4" />
      <path d="M3 17h4.5c1.2 0 2-.4 2.8-1.2" />
      <path d="M13.7 8.2C14.5 7.4 15.3 7 16.5 7H21" />
      <path d="M18.5 4.5 21 7l-2.5 2.5M18.5 11.5 21 14l-2.5 2.5" />
    </>,
    p,
  );

export const IconClock = (p: IconProps) =>
  svg(
    <>
      <circle cx="12" cy="12" r="8.5" />
      <path d="M12 7.5V12l3 2" />
    </>,
    p,
  );

export const IconPause = (p: IconProps) =>
  svg(
    <>
      <circle cx="12" cy="12" r="8.5" />
      <path d="M10 9v6M14 9v6" />
    </>,
    p,
  );

export const IconCheck = (p: IconProps) => svg(<path d="M5 12.5 10 17.5 19 7.5" />, p);

export const IconExternal = (p: IconProps) =>
  svg(
    <>
      <path d="M14 4h6v6" />
      <path d="M20 4 11 13" />
      <path d="M19 14v4.5A1.5 1.5 0 0 1 17.5 20h-12A1.5 1.5 0 0 1 4 18.5v-12A1.5 1.5 0 0 1 5.5 5H10" />
    </>,
    p,
  );

export const IconAlert = (p: IconProps) =>
  svg(
    <>
      <path d="M12 3.5 21.5 20h-19L12 3.5Z" />
      <path d="M12 10v4.5" />
      <circle cx="12" cy="17.2" r=".6" fill="currentColor" />
    </>,
    p,
  );

export const IconDoor = (p: IconProps) =>
  svg(
    <>
      <path d="M14 4H6.5A1.5 1.5 0 0 0 5 5.5v13A1.5 1.5 0 0 0 6.5 20H14" />
      <path d="M10 12h10M17 9l3 3-3 3" />
    </>,
    p,
  );

export const IconUserX = (p: IconProps) =>
  svg(
    <>
      <circle cx="10" cy="8" r="3.5" />
      <path d="M3.5 19.5c.8-3.3 3.4-5.5 6.5-5.5 1.3 0 2.5.4 3.5 1" />
      <path d="m16.5 14.5 4 4M20.5 14.5l-4 4" />
    </>,
    p,
  );

export const IconHourglass = (p: IconProps) =>
  svg(
    <>
      <path d="M7 3.5h10M7 20.5h10" />
      <path d="M8 3.5c0 4 4 5 4 8.5s-4 4.5-4 8.5M16 3.5c0 4-4 5-4 8.5s4 4.5 4 8.5" />
    </>,
    p,
  );
