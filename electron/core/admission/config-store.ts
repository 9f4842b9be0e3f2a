/**
 * The admission settings on disk (admission.json in the data folder): read once at
 * start (a bad or unreadable file gives the defaults and a problem, in words, for the
 * panel), written atomically on every change.
 */
import path from 'node:path';
import { AdmissionConfigSchema, DEFAULT_ADMISSION, type AdmissionConfig } from '../../../shared/admission-rules';
import { readJsonWithBackup, writeJsonAtomic } from '../storage';

export class AdmissionConfigStore {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'admission.json');
  }

  /** The saved settings (defaults where missing), and a problem reading them, if any. */
  load(): { config: AdmissionConfig; problem: string | null } {
    const saved = readJsonWithBackup(this.file);
    const parsed = AdmissionConfigSchema.safeParse({ ...DEFAULT_ADMISSION, ...(saved.data as object | undefined) });
    const config = parsed.success ? parsed.data : { ...DEFAULT_ADMISSION };
    const problem = saved.problem || (saved.data !== undefined && !parsed.success) ? (saved.problem ?? `${this.file} has settings StreamCap does not accept; the defaults are in use.`) : null;
    return { config, problem };
  }

  save(config: AdmissionConfig): Promise<void> {
    return writeJsonAtomic(this.file, config);
  }
}
