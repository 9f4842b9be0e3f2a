import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { zhCN } from './zh-CN';

export const LANGS = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '中文' },
] as const;
export type Lang = (typeof LANGS)[number]['code'];

const KEY = 'streamcap.lang';

/** zh* → zh-CN, anything else → English. */
export function pickLang(locale: string | undefined | null): Lang {
  return locale && /^zh\b/i.test(locale) ? 'zh-CN' : 'en';
}

/** The saved choice, else the OS locale (Electron passes it; browsers report theirs). */
export function initialLang(): Lang {
  const saved = localStorage.getItem(KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return pickLang(window.streamcap?.locale ?? navigator.language);
}

export function setLang(lang: Lang): void {
  localStorage.setItem(KEY, lang);
  void i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
}

export function initI18n(): void {
  const lng = initialLang();
  document.documentElement.lang = lng;
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    lng,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
  });
}

// Typed keys: t('a.key.that.does.not.exist') is a compile error, in both languages (zh-CN is typed as the English dictionary).
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}
