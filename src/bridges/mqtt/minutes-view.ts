/**
 * The day and night minutes the bridge knows per lock, for the Home Assistant numbers.
 *
 * relock's status does not say a lock's autolock minutes, so the bridge keeps what it has seen:
 * the config file's `autolock` block at start (relock's defaults filled in), then every change
 * it makes itself through `setAutolock` (a Home Assistant number).
 *
 * Invariants: a value is `null` only when the bridge has not seen it (a lock without an
 * `autolock` block keeps the settings relock stored, which the bridge cannot read, until Home
 * Assistant sets one); a value is recorded only after `setAutolock` accepted it.
 */
import type { BridgeLockConfig } from './config.js';
import type { KnownMinutes } from './state.js';

export class MinutesView {
  readonly #minutes = new Map<string, KnownMinutes>();

  constructor(locks: readonly BridgeLockConfig[]) {
    for (const lock of locks) {
      this.#minutes.set(lock.id, {
        dayMinutes: lock.autolock?.dayMinutes ?? null,
        nightMinutes: lock.autolock?.nightMinutes ?? null,
      });
    }
  }

  of(lockId: string): KnownMinutes {
    return this.#minutes.get(lockId) ?? { dayMinutes: null, nightMinutes: null };
  }

  record(lockId: string, change: Partial<KnownMinutes>): void {
    this.#minutes.set(lockId, { ...this.of(lockId), ...change });
  }
}
