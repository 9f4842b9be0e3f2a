// Small helpers over node:util parseArgs: numbers checked with clear messages.
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function numberOption(value: string | undefined, name: string, opts: { min: number; max: number; integer?: boolean; dflt: number }): number {
  if (value === undefined) return opts.dflt;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}".`);
  if (opts.integer && !Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number, got "${value}".`);
  if (n < opts.min || n > opts.max) throw new UsageError(`--${name} must be between ${opts.min} and ${opts.max}, got ${value}.`);
  return n;
}
