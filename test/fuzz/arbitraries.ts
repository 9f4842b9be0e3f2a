// fast-check arbitraries for the API fuzz tests: payloads drawn from the contract's
// own zod schemas (so most are valid or nearly so, and reach past the schema into
// the handlers), and mutations of them: wrong types, huge and odd numbers, deep
// nesting, unicode, extra and prototype keys, a payload that is not an object.
import fc from 'fast-check';
import type { z } from 'zod';

type Def = { type: string; [k: string]: any };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const checksOf = (d: Def) => ((d.checks ?? []) as { _zod: { def: Record<string, any> } }[]).map((c) => c._zod.def);

/** An arbitrary of values shaped by a zod schema: its types, enums, lengths, ranges and patterns. Refinements are ignored (their failures are fuzz too). */
export function fromZod(schema: z.ZodType, depth = 0): fc.Arbitrary<unknown> {
  const d = defOf(schema);
  const checks = checksOf(d);
  switch (d.type) {
    case 'string': {
      const re = checks.find((c) => c.check === 'string_format' && c.pattern)?.pattern as RegExp | undefined;
      if (re) return fc.stringMatching(re);
      const min = checks.find((c) => c.check === 'min_length')?.minimum ?? 0;
      const max = Math.min(checks.find((c) => c.check === 'max_length')?.maximum ?? 40, min + 40);
      return fc.oneof(fc.string({ minLength: min, maxLength: max }), fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }));
    }
    case 'number': {
      const lo = checks.find((c) => c.check === 'greater_than');
      const hi = checks.find((c) => c.check === 'less_than');
      const int = checks.some((c) => c.check === 'number_format');
      const min = lo ? lo.value + (lo.inclusive ? 0 : int ? 1 : 1e-6) : -1e6;
      const max = hi ? hi.value - (hi.inclusive ? 0 : int ? 1 : 1e-6) : 1e6;
      return int ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...Object.values(d.entries as Record<string, string>));
    case 'literal':
      return fc.constantFrom(...(d.values as unknown[]));
    case 'optional':
    case 'default':
      return fc.option(fromZod(d.innerType, depth), { nil: undefined });
    case 'nullable':
      return fc.option(fromZod(d.innerType, depth), { nil: null });
    case 'pipe':
      return fromZod(d.in, depth);
    case 'array': {
      const max = Math.min(checks.find((c) => c.check === 'max_length')?.maximum ?? 5, 5);
      return depth > 4 ? fc.constant([]) : fc.array(fromZod(d.element, depth + 1), { maxLength: max });
    }
    case 'record':
      return depth > 4 ? fc.constant({}) : fc.dictionary(fromZod(d.keyType, depth + 1) as fc.Arbitrary<string>, fromZod(d.valueType, depth + 1), { maxKeys: 4 });
    case 'object': {
      const shape = d.shape as Record<string, z.ZodType>;
      const parts: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(shape)) parts[k] = fromZod(v, depth + 1);
      return fc.record(parts).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
    }
    case 'union':
      return fc.oneof(...(d.options as z.ZodType[]).map((o) => fromZod(o, depth)));
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values of the wrong kind, and the awkward ones of the right kind. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 1e21, 5e-324, '', ' ', '0', 'NaN', 'Infinity', 'null', 'true', [], {}, [null], { '': 1 }),
  fc.constantFrom('\u0000', '\ud800', '\u202e\u202d', 'é'.normalize('NFD'), '🙂'.repeat(40), '<script>alert(1)</script>', '../../../../etc/passwd', '{n}', '{{', '{8888+i', '%s%n', 'a'.repeat(5000)),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 50, max: 3000 }).map(deepNest),
);

/** A value nested `n` arrays and objects deep. */
export function deepNest(n: number): unknown {
  let v: unknown = 1;
  for (let k = 0; k < n; k++) v = k % 2 ? [v] : { a: v };
  return v;
}

const EXTRA_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'extra', '', '🙂', 'id', 'type', 'a'.repeat(200)];

/** A mutation of a (usually valid) payload: one field of the wrong kind, a field missing or added, or not an object at all. */
export function mutate(base: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: base },
    {
      weight: 4,
      arbitrary: fc.tuple(base, fc.nat(), oddValue).map(([b, k, v]) => {
        if (!b || typeof b !== 'object' || Array.isArray(b)) return v;
        const keys = Object.keys(b);
        if (!keys.length) return { [EXTRA_KEYS[k % EXTRA_KEYS.length]!]: v };
        return { ...b, [keys[k % keys.length]!]: v };
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(base, fc.nat()).map(([b, k]) => {
        if (!b || typeof b !== 'object' || Array.isArray(b)) return b;
        const keys = Object.keys(b);
        const o = { ...(b as object) } as Record<string, unknown>;
        if (keys.length) delete o[keys[k % keys.length]!];
        return o;
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(base, fc.constantFrom(...EXTRA_KEYS), oddValue).map(([b, k, v]) => {
        if (!b || typeof b !== 'object' || Array.isArray(b)) return b;
        // defineProperty: a "__proto__" key is sent as an own key, as a client would send it.
        const o = { ...(b as object) };
        Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
        return o;
      }),
    },
    { weight: 1, arbitrary: oddValue },
  );
}

/** Raw request bodies that are not the JSON of any value. */
export const rawBody: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '}',
    '[',
    '{"a":',
    '{"a":1,}',
    "{'a':1}",
    'null',
    'undefined',
    'NaN',
    '{"a":1}{"b":2}',
    '\u0000',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"a":1e999}',
    '{"a":-1e999}',
    '"\\ud800"',
    '\ufeff{}',
    '['.repeat(100_000),
    '{"a":' + '['.repeat(20_000) + ']'.repeat(20_000) + '}',
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)),
);

/** Keeps the fuzz away from the machine: no program it could start exists, no signalling server it could poll. */
export function harmless(name: string, payload: unknown): unknown {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return payload;
  const p = { ...(payload as Record<string, unknown>) };
  const noProgram = (prof: Record<string, unknown>) => {
    if (typeof prof.exe === 'string') prof.exe = `/nonexistent/${prof.exe}`;
    if (prof.copy && typeof prof.copy === 'object') prof.copy = { ...(prof.copy as object), sourceDir: '/nonexistent/a', targetDir: '/nonexistent/b' };
    return prof;
  };
  if (name === 'profiles.save') noProgram(p);
  // Commands that take a profile described in full (the CLI's ad-hoc launch and probe).
  if ((name === 'instances.launchExe' || name === 'probe.start') && p.profile && typeof p.profile === 'object' && !Array.isArray(p.profile))
    p.profile = noProgram({ ...(p.profile as Record<string, unknown>) });
  if ((name === 'instances.launch' || name === 'probe.start') && p.profileId === 'demo') p.profileId = 'demo-not';
  if ((name === 'admission.set' || name === 'PUT /admission') && typeof p.wilburUrl === 'string' && p.wilburUrl !== '') p.wilburUrl = 'http://127.0.0.1:9/';
  return p;
}
