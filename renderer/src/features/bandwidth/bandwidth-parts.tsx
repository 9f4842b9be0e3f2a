// Pieces the Bandwidth view and the capacity planner share: the form state, number
// fields that say what is wrong with them, the preset picker and the meter.
import { useTranslation } from 'react-i18next';
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import { BITRATE_PRESETS, formatNumber, type FieldProblem } from '../../../../shared/bandwidth';
import { bandwidthProblemKey } from './form-problems';
import { Field, TextField, type TextFieldProps } from '../../ui/Field';

export { byField } from './form-problems';

// Fields hold the text as typed: validation happens in shared/bandwidth, which says what is wrong.
export interface CalcForm {
  bitrateMbps: string;
  operators: string;
  spectators: string;
  overheadPercent: string;
  uplinkMbps: string;
  headroomPercent: string;
  sfu: boolean;
}

export interface PlanForm {
  peakAudience: string;
  operatingPercent: string;
  streamsPerServer: string;
  bitrateMbps: string;
  overheadPercent: string;
  headroomPercent: string;
  sfu: boolean;
}

export const DEFAULT_CALC: CalcForm = { bitrateMbps: '8', operators: '10', spectators: '20', overheadPercent: '0', uplinkMbps: '1000', headroomPercent: '0', sfu: false };
export const DEFAULT_PLAN: PlanForm = { peakAudience: '200', operatingPercent: '30', streamsPerServer: '10', bitrateMbps: '8', overheadPercent: '0', headroomPercent: '0', sfu: false };

interface FormState {
  calc: CalcForm;
  plan: PlanForm;
  setCalc(patch: Partial<CalcForm>): void;
  setPlan(patch: Partial<PlanForm>): void;
  reset(): void;
}

/** Kept across view switches and reloads: a sales engineer prepares the figures before the meeting. */
export const useBandwidthForm = create<FormState>()(
  persist(
    (set) => ({
      calc: DEFAULT_CALC,
      plan: DEFAULT_PLAN,
      setCalc: (patch) => set((s) => ({ calc: { ...s.calc, ...patch } })),
      setPlan: (patch) => set((s) => ({ plan: { ...s.plan, ...patch } })),
      reset: () => set({ calc: DEFAULT_CALC, plan: DEFAULT_PLAN }),
    }),
    { name: 'streamcap.bandwidth', version: 1, partialize: (s) => ({ calc: s.calc, plan: s.plan }) },
  ),
);

/** Numbers in the UI's language, never "NaN": non-finite shows as "—". */
export function useFmt() {
  const { i18n } = useTranslation();
  return (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? '—' : formatNumber(x, digits, i18n.language));
}

/** "10 operators", "1 spectator": counts in words, plural-aware and formatted. */
export function useCount() {
  const { t } = useTranslation();
  const fmt = useFmt();
  return (key: 'operators' | 'spectators' | 'viewers' | 'visitors' | 'servers' | 'sessions' | 'streams', n: number) => t(`bw.n.${key}`, { count: n, n: fmt(n, 0) });
}

export function useProblemText() {
  const { t } = useTranslation();
  const fmt = useFmt();
  return (p: FieldProblem | undefined): string | undefined => {
    if (!p) return undefined;
    const { key, limit } = bandwidthProblemKey(p);
    return t(key, { limit: fmt(limit) });
  };
}

const STEP_KEYS: Record<string, number> = { ArrowUp: 1, ArrowDown: -1, PageUp: 10, PageDown: -10 };

/**
 * A text field for a number. Not type="number": the browser would blank out text it
 * cannot read, and the user would see "required" instead of "not a number".
 * Arrow keys step it like a spin box.
 */
export function NumberField({ step = 1, min = 0, ...p }: Omit<TextFieldProps, 'onKeyDown' | 'children'> & { step?: number; min?: number }) {
  return (
    <TextField
      {...p}
      onKeyDown={(e) => {
        const k = STEP_KEYS[e.key];
        const n = Number(p.value);
        if (k === undefined || p.value.trim() === '' || !Number.isFinite(n)) return;
        e.preventDefault();
        p.onChange(String(Math.max(min, Math.round((n + k * step) * 1000) / 1000)));
      }}
    />
  );
}

export function Checkbox({ label, hint, checked, onChange, testId }: { label: string; hint?: string; checked: boolean; onChange: (v: boolean) => void; testId: string }) {
  return (
    <label className="bw-check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      <span>
        <span className="bw-check-label">{label}</span>
        {hint && <span className="hint">{hint}</span>}
      </span>
    </label>
  );
}

/** Preset picker bound to the bitrate text: picking sets it, typing another figure shows "Custom". */
export function PresetSelect({ bitrate, onPick, testId }: { bitrate: string; onPick: (mbps: string) => void; testId: string }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const current = BITRATE_PRESETS.find((p) => Number(bitrate) === p.mbps && bitrate.trim() !== '')?.id ?? 'custom';
  return (
    <Field label={t('bw.preset')} hint={t('bw.presetHint')}>
      <select
        value={current}
        onChange={(e) => {
          const p = BITRATE_PRESETS.find((x) => x.id === e.target.value);
          if (p) onPick(String(p.mbps));
        }}
        data-testid={testId}
      >
        <option value="custom">{t('bw.presetCustom')}</option>
        {BITRATE_PRESETS.map((p) => (
          <option key={p.id} value={p.id}>
            {t('bw.presetOption', { name: p.id.replace('k', 'K'), mbps: fmt(p.mbps) })}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** A horizontal gauge: value against a limit, with an optional marker (the usable share of the uplink). */
export function Meter({ fraction, marker, tone, label, testId }: { fraction: number; marker?: number; tone: 'ok' | 'warn' | 'bad'; label: string; testId?: string }) {
  const pct = Math.max(0, Math.min(1, fraction)) * 100;
  return (
    <div className="bw-meter" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(fraction * 100)} data-testid={testId}>
      <span className={`bw-meter-fill ${tone}`} style={{ width: `${pct}%` }} />
      {marker !== undefined && marker < 1 && <span className="bw-meter-mark" style={{ left: `${marker * 100}%` }} />}
    </div>
  );
}
