// One long-running reader process (nvidia-smi -lms, pmon, PowerShell Get-Counter):
// its stdout is handed on in whole lines; when it exits, fails to start, or stops
// printing for `stallMs`, it is killed and started again after a backoff that
// doubles up to a minute (a driver reset or a hot-plugged GPU may bring it back).
import { spawn, type ChildProcess } from 'node:child_process';

export interface LineProcessOptions {
  /** In words, for messages: "nvidia-smi pmon". */
  name: string;
  exe: string;
  args: string[];
  onLines(lines: string[]): void;
  /** Called when it is gone, with the tail of its stderr, before the restart is planned. */
  onExit?(stderrTail: string): void;
  /** No output for this long means it hangs: kill and restart. */
  stallMs: number;
  /** First restart delay; doubles per failure in a row, up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

const MAX_PENDING = 1 << 20; // a "line" longer than 1 MiB is not output we can read

export class LineProcess {
  /** Why there is no output now, in words; null while it runs and prints. */
  problem: string | null = null;
  lastOutputAt = 0;
  /** Times it was started (for tests and diagnostics). */
  starts = 0;
  private child: ChildProcess | null = null;
  private pending = '';
  private stderr = '';
  private failures = 0;
  private closed = false;
  private stalled = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout;

  constructor(private readonly opts: LineProcessOptions) {
    this.start();
    this.watchdog = setInterval(() => this.checkStall(), Math.max(50, Math.floor(opts.stallMs / 2)));
    this.watchdog.unref();
  }

  /** Arguments for the next start (e.g. a smaller field list after the driver refused one). */
  setArgs(args: string[]): void {
    this.opts.args = args;
  }

  /** The last lines it wrote to stderr. */
  get stderrTail(): string {
    return this.stderr.trim();
  }

  private start(): void {
    if (this.closed) return;
    this.restartTimer = null;
    this.starts++;
    this.pending = '';
    this.stderr = '';
    this.lastOutputAt = Date.now(); // the stall clock starts now
    let child: ChildProcess;
    try {
      child = spawn(this.opts.exe, this.opts.args, { shell: false, windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      this.gone(null, `${this.opts.name} could not start: ${(e as Error).message}`);
      return;
    }
    this.child = child;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (child !== this.child) return;
      this.lastOutputAt = Date.now();
      this.pending += chunk;
      const nl = this.pending.lastIndexOf('\n');
      if (nl < 0) {
        if (this.pending.length > MAX_PENDING) this.pending = '';
        return;
      }
      const lines = this.pending.slice(0, nl).split('\n');
      this.pending = this.pending.slice(nl + 1);
      this.problem = null;
      this.failures = 0;
      this.opts.onLines(lines.map((l) => l.replace(/\r$/, '')));
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-1000);
    });
    child.on('error', (e) => this.gone(child, `${this.opts.name} could not start: ${e.message}`));
    child.on('exit', (code, signal) => {
      const last = this.stderrTail.split('\n').pop();
      this.gone(child, `${this.opts.name} exited (${signal ?? `code ${code}`})${last ? ': ' + last : ''}`);
    });
  }

  /** The child is gone (exit, failed start, or killed as stalled): say why and start again later. */
  private gone(child: ChildProcess | null, why: string): void {
    if (child !== this.child || this.closed) return;
    this.child = null;
    this.opts.onExit?.(this.stderrTail);
    if (!this.stalled) this.problem = why; // else keep "stopped answering", the real cause
    this.stalled = false;
    this.failures++;
    const base = this.opts.backoffMs ?? 1000;
    const delay = Math.min(this.opts.maxBackoffMs ?? 60_000, base * 2 ** Math.min(this.failures - 1, 16));
    this.restartTimer = setTimeout(() => this.start(), delay);
    this.restartTimer.unref();
  }

  private checkStall(): void {
    const child = this.child;
    if (!child || this.closed) return;
    const quiet = Date.now() - this.lastOutputAt;
    if (quiet < this.opts.stallMs) return;
    this.problem = `${this.opts.name} stopped answering (no output for ${Math.round(quiet / 1000)} s); restarting it`;
    this.stalled = true;
    child.kill('SIGKILL');
  }

  close(): void {
    this.closed = true;
    clearInterval(this.watchdog);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.child?.kill();
    this.child = null;
  }
}
