// One labelled text field for the console's forms: a label, the input (with a unit
// beside it), and under it either the error (announced) or a hint. Numbers are typed
// as text too: type="number" would blank out what the browser cannot read, and the
// person would see "required" instead of "not a number".
import { useId, type KeyboardEvent, type ReactNode } from 'react';

export interface TextFieldProps {
  label: string;
  value: string;
  onChange(v: string): void;
  error?: string;
  hint?: ReactNode;
  unit?: string;
  testId: string;
  /** Class prefix of the view's styles: `bw` (Bandwidth) or `sess` (Sessions). */
  variant: 'bw' | 'sess';
  disabled?: boolean;
  mono?: boolean;
  placeholder?: string;
  inputMode?: 'decimal' | 'text' | 'url';
  onKeyDown?(e: KeyboardEvent<HTMLInputElement>): void;
  children?: ReactNode;
}

export function TextField(p: TextFieldProps) {
  const id = useId();
  return (
    <div className={`field ${p.variant}-field${p.error ? ' invalid' : ''}${p.disabled ? ' disabled' : ''}`}>
      <label className="label" htmlFor={id}>
        {p.label}
      </label>
      <div className={`${p.variant}-input`}>
        <input
          id={id}
          type="text"
          inputMode={p.inputMode ?? 'decimal'}
          autoComplete="off"
          spellCheck={false}
          className={p.mono ? 'mono' : undefined}
          value={p.value}
          placeholder={p.placeholder}
          disabled={p.disabled}
          onChange={(e) => p.onChange(e.target.value)}
          onKeyDown={p.onKeyDown}
          aria-invalid={p.error ? true : undefined}
          aria-describedby={`${id}-msg`}
          data-testid={p.testId}
        />
        {p.unit && <span className={`${p.variant}-unit`}>{p.unit}</span>}
      </div>
      {p.error ? (
        <span className="error" role="alert" id={`${id}-msg`} data-testid={`${p.testId}-error`}>
          {p.error}
        </span>
      ) : (
        <span className="hint" id={`${id}-msg`}>
          {p.hint ?? ' '}
        </span>
      )}
      {p.children}
    </div>
  );
}
