// Per-instance placeholders in arguments, environment values and the working directory.
//
//   {n}       instance number, 1-based            -PixelStreamingID=stream{n}
//   {i}       instance index, 0-based             -PixelStreamingURL=ws://127.0.0.1:{8888+i}
//   {gpu}     GPU index, round-robin over GPUs    -GraphicsAdapter={gpu}
//   {count}   how many instances this launch starts
//   {{ }}     a literal brace
//
// Inside braces: integers and the names above joined by + - * (usual precedence),
// so `{8888+i}`, `{9000+2*i}` and `{n-1}` all work. Anything else is an error that
// names the placeholder, found when the profile is saved rather than at launch.

export interface PlaceholderContext {
  n: number;
  i: number;
  gpu: number;
  count: number;
}

export const PLACEHOLDER_NAMES = ['n', 'i', 'gpu', 'count'] as const;

export class PlaceholderError extends Error {
  constructor(
    message: string,
    readonly template: string,
  ) {
    super(message);
    this.name = 'PlaceholderError';
  }
}

type Token = { kind: 'num'; value: number } | { kind: 'var'; name: keyof PlaceholderContext } | { kind: 'op'; op: '+' | '-' | '*' };

function tokenize(expr: string, template: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\d+)|([A-Za-z_]+)|([+\-*]))/y;
  let pos = 0;
  while (pos < expr.length) {
    if (/^\s*$/.test(expr.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(expr);
    if (!m) throw new PlaceholderError(`Unexpected "${expr.slice(pos).trim()}" in {${expr}}`, template);
    pos = re.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'num', value: Number(m[1]) });
    else if (m[2] !== undefined) {
      const name = m[2];
      if (!(PLACEHOLDER_NAMES as readonly string[]).includes(name)) {
        throw new PlaceholderError(`Unknown placeholder "${name}" in {${expr}}: use n, i, gpu or count`, template);
      }
      tokens.push({ kind: 'var', name: name as keyof PlaceholderContext });
    } else tokens.push({ kind: 'op', op: m[3] as '+' | '-' | '*' });
  }
  return tokens;
}

function evaluate(expr: string, ctx: PlaceholderContext, template: string): number {
  const tokens = tokenize(expr, template);
  if (tokens.length === 0) throw new PlaceholderError('Empty placeholder {}', template);
  let pos = 0;
  const operand = (): number => {
    const t = tokens[pos++];
    if (t?.kind === 'num') return t.value;
    if (t?.kind === 'var') return ctx[t.name];
    throw new PlaceholderError(`Expected a number or a name in {${expr}}`, template);
  };
  const product = (): number => {
    let v = operand();
    while (tokens[pos]?.kind === 'op' && (tokens[pos] as { op: string }).op === '*') {
      pos++;
      v *= operand();
    }
    return v;
  };
  let value = product();
  while (pos < tokens.length) {
    const t = tokens[pos++];
    if (t?.kind !== 'op' || t.op === '*') throw new PlaceholderError(`Expected + or - in {${expr}}`, template);
    value = t.op === '+' ? value + product() : value - product();
  }
  if (!Number.isSafeInteger(value)) throw new PlaceholderError(`{${expr}} is out of range`, template);
  return value;
}

/** Expands every placeholder of one string. Throws PlaceholderError on a bad template. */
export function expandPlaceholders(template: string, ctx: PlaceholderContext): string {
  let out = '';
  for (let k = 0; k < template.length; k++) {
    const c = template[k];
    if (c === '{' && template[k + 1] === '{') {
      out += '{';
      k++;
    } else if (c === '}' && template[k + 1] === '}') {
      out += '}';
      k++;
    } else if (c === '{') {
      const end = template.indexOf('}', k + 1);
      if (end < 0) throw new PlaceholderError('Unclosed "{" (write {{ for a literal brace)', template);
      out += String(evaluate(template.slice(k + 1, end), ctx, template));
      k = end;
    } else if (c === '}') {
      throw new PlaceholderError('Unmatched "}" (write }} for a literal brace)', template);
    } else out += c;
  }
  return out;
}

/** Returns the first template error, or null: used to validate a profile before saving it. */
export function checkTemplate(template: string): string | null {
  try {
    expandPlaceholders(template, { n: 1, i: 0, gpu: 0, count: 1 });
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Context of instance `i` (0-based) of a launch of `count`, GPUs assigned round-robin. */
export function instanceContext(i: number, count: number, gpuCount: number): PlaceholderContext {
  return { n: i + 1, i, gpu: gpuCount > 0 ? i % gpuCount : 0, count };
}
