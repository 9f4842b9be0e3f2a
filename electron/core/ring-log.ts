import type { LogLine } from '../../shared/contract';

/**
 * The last lines of a child's output, bounded in lines and in bytes per line, so a
 * child that writes a gigabyte costs StreamCap a fixed amount of memory.
 */
export class RingLog {
  private lines: LogLine[] = [];
  private head = 0;
  private partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  dropped = 0;
  /** Where the output is read from when asked (instance-output.ts): drained before every read of the log. */
  source: { drain(log: RingLog): void } | null = null;

  constructor(
    readonly maxLines = 1000,
    readonly maxLineChars = 2000,
  ) {}

  push(stream: LogLine['stream'], text: string, t = Date.now()): void {
    const line = { t, stream, text: text.length > this.maxLineChars ? text.slice(0, this.maxLineChars) + ' …' : text };
    if (this.lines.length < this.maxLines) this.lines.push(line);
    else {
      this.lines[this.head] = line;
      this.head = (this.head + 1) % this.maxLines;
      this.dropped++;
    }
  }

  /** Feeds a chunk of a stream; complete lines are stored, a long unfinished line is cut. */
  write(stream: 'stdout' | 'stderr', chunk: string): void {
    let text = this.partial[stream] + chunk;
    let nl: number;
    while ((nl = text.search(/\r?\n|\r/)) >= 0) {
      this.push(stream, text.slice(0, nl));
      text = text.slice(nl + (text[nl] === '\r' && text[nl + 1] === '\n' ? 2 : 1));
    }
    if (text.length > this.maxLineChars) {
      this.push(stream, text);
      text = '';
    }
    this.partial[stream] = text;
  }

  flush(): void {
    for (const s of ['stdout', 'stderr'] as const) {
      if (this.partial[s]) this.push(s, this.partial[s]);
      this.partial[s] = '';
    }
  }

  all(): LogLine[] {
    this.source?.drain(this);
    return [...this.lines.slice(this.head), ...this.lines.slice(0, this.head)];
  }

  tail(n: number): string[] {
    return this.all()
      .slice(-n)
      .map((l) => l.text);
  }
}
