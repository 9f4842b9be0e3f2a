// Numbers as a person reads them, in the UI's language: one formatter for the console,
// the CLI and the reports. Pure.
const EN = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

/** 1234.5678 → "1,234.57"; never "NaN". */
export function formatNumber(x: number, maximumFractionDigits = 2, locale = 'en'): string {
  if (!Number.isFinite(x)) return '—';
  return maximumFractionDigits === 2 && locale === 'en' ? EN.format(x) : new Intl.NumberFormat(locale, { maximumFractionDigits }).format(x);
}
