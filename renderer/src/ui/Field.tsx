// The console's one form field: a label, the control, and under it either the error
// (announced) or a hint, with a line kept for them so a form does not jump as problems
// come and go. `Field` frames any control (a select, a textarea: the Profiles form);
// `TextField` is the text input every number and text field uses (Probe, Bandwidth,
// Sessions), with a unit inside its right edge. Numbers are typed as text too:
// type="number" would blank out what the browser cannot read, and the person would
// see "required" instead of "not a number".
import { useId, type KeyboardEvent, type ReactNode } from 'react';
import './field.css';

export interface FieldProps {
  label: string;
  error?: string;
  hint?: ReactNode;
  disabled?: boolean;
  /** The error's test id (where a test reads it). */
  errorTestId?: string;
  children: ReactNode;
}

/** A label around any control: clicking the label focuses it. */
export function Field(p: FieldProps) {
  return (
    <label className={frameClass(p.error, p.disabled)}>
      <span className="label">{p.label}</span>
      {p.children}
      <Message id={undefined} error={p.error} hint={p.hint} testId={p.errorTestId} />
    </label>
  );
}

export interface TextFieldProps {
  label: string;
  value: string;
  onChange(v: string): void;
  error?: string;
  hint?: ReactNode;
  unit?: string;
  testId: string;
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
    <div className={frameClass(p.error, p.disabled)}>
      <label className="label" htmlFor={id}>
        {p.label}
      </label>
      <div className="ui-input">
        <input
          id={id}
          type="text"
          inputMode={p.inputMode ?? 'decimal'}
          autoComplete="off"
          spellCheck={false}
          className={p.mono ? 'mono' : undefined}
          // Room for the unit inside the box, however long its words are ("%", "Mbit/s", "人").
          style={p.unit ? { paddingRight: `calc(${p.unit.length}ch + 20px)` } : undefined}
          value={p.value}
          placeholder={p.placeholder}
          disabled={p.disabled}
          onChange={(e) => p.onChange(e.target.value)}
          onKeyDown={p.onKeyDown}
          aria-invalid={p.error ? true : undefined}
          aria-describedby={`${id}-msg`}
          data-testid={p.testId}
        />
        {p.unit && <span className="ui-unit">{p.unit}</span>}
      </div>
      <Message id={`${id}-msg`} error={p.error} hint={p.hint} testId={`${p.testId}-error`} />
      {p.children}
    </div>
  );
}

const frameClass = (error: string | undefined, disabled: boolean | undefined) => `field ui-field${error ? ' invalid' : ''}${disabled ? ' disabled' : ''}`;

function Message({ id, error, hint, testId }: { id: string | undefined; error?: string; hint?: ReactNode; testId?: string }) {
  return error ? (
    <span className="error" role="alert" id={id} data-testid={testId}>
      {error}
    </span>
  ) : (
    <span className="hint" id={id}>
      {hint ?? ' '}
    </span>
  );
}
