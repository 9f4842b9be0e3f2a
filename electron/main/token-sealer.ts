// The fleet's tokens at rest in the desktop app: Electron's safeStorage (the OS keychain:
// Keychain, DPAPI, libsecret) where it is available; elsewhere the servers list stays a
// file with mode 0600 (electron/core/fleet/store.ts).
import { safeStorage } from 'electron';
import type { TokenSealer } from '../core/fleet/store';

export function safeStorageSealer(): TokenSealer | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  return {
    seal: (token) => safeStorage.encryptString(token).toString('base64'),
    open: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}
