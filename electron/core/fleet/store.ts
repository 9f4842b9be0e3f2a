// The fleet's servers list: names, agent addresses and their admin tokens. Tokens are
// private: the list lives in its own file with mode 0600 (never in the settings), written
// atomically with a backup. `streamcap agent --fleet FILE` names the file; otherwise it
// is fleet.json in the data folder. A sealer (Electron's safeStorage, where the desktop
// app has it) may encrypt the tokens at rest.
import { ApiError } from '../../../shared/contract';
import { FleetFileSchema, type ServerEntry } from '../../../shared/wire/fleet';
import { readJsonWithBackup, writeJsonAtomic } from '../storage';

/** Encrypts tokens at rest (the desktop app's safeStorage); the file holds what seal() returns. */
export interface TokenSealer {
  seal(token: string): string;
  open(sealed: string): string;
}

const SEALED = 'sealed:';

export class ServerStore {
  private servers: ServerEntry[] = [];
  /** A problem reading the file, in words, for the log and the view; null when it read well or did not exist. */
  readonly loadProblem: string | null = null;

  constructor(
    readonly file: string,
    private readonly sealer: TokenSealer | null = null,
  ) {
    const saved = readJsonWithBackup(file);
    if (saved.data === undefined) {
      if (saved.problem) this.loadProblem = saved.problem;
      return;
    }
    const parsed = FleetFileSchema.safeParse(saved.data);
    if (!parsed.success) {
      this.loadProblem = `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
      return;
    }
    this.servers = parsed.data.servers.map((s) => ({ ...s, token: this.openToken(s.token) }));
  }

  private openToken(t: string): string {
    if (!t.startsWith(SEALED) || !this.sealer) return t;
    return this.sealer.open(Buffer.from(t.slice(SEALED.length), 'base64url').toString('utf8'));
  }

  list(): readonly ServerEntry[] {
    return this.servers;
  }

  get(name: string): ServerEntry {
    const s = this.servers.find((x) => x.name === name);
    if (!s) throw new ApiError('not_found', `No server "${name.slice(0, 64)}" in the fleet. Add it first (fleet.add).`);
    return s;
  }

  async add(entry: ServerEntry): Promise<ServerEntry> {
    if (this.servers.some((s) => s.name.toLowerCase() === entry.name.toLowerCase())) throw new ApiError('conflict', `A server named "${entry.name}" is in the fleet already: pick another name.`);
    if (this.servers.some((s) => s.url === entry.url)) throw new ApiError('conflict', `${entry.url} is in the fleet already (as "${this.servers.find((s) => s.url === entry.url)!.name}").`);
    await this.save([...this.servers, entry]);
    return entry;
  }

  async rename(name: string, to: string): Promise<void> {
    const s = this.get(name);
    if (name !== to && this.servers.some((x) => x.name.toLowerCase() === to.toLowerCase() && x !== s)) throw new ApiError('conflict', `A server named "${to}" is in the fleet already.`);
    await this.save(this.servers.map((x) => (x === s ? { ...x, name: to } : x)));
  }

  async remove(name: string): Promise<void> {
    this.get(name);
    await this.save(this.servers.filter((x) => x.name !== name));
  }

  private async save(next: ServerEntry[]): Promise<void> {
    const onDisk = next.map((s) => ({ ...s, token: this.sealer ? SEALED + Buffer.from(this.sealer.seal(s.token), 'utf8').toString('base64url') : s.token }));
    await writeJsonAtomic(this.file, { servers: onDisk }, { mode: 0o600 });
    this.servers = next;
  }
}
