// Small helpers over node:util parseArgs: numbers checked with clear messages.
import type { z } from 'zod';
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

/**
 * Parses what the flags describe with a contract schema; what it refuses is a usage error
 * naming the flag's part (e.g. `args.0: Unexpected "}" …` for an argument after --).
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new UsageError(`${what}: ${r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`);
}
