/**
 * The statuses `addLocks` resolves with, built when read: a host that starts 10,000 locks and
 * ignores the result pays for no status at all.
 *
 * Invariants:
 * - a real array (`Array.isArray`, `length`, iteration, destructuring, `map`, JSON all work);
 * - element i is derived on its first read and then kept: reading it twice gives the same object;
 * - a status is the lock's status when first read (a lock removed before that reads as the
 *   error `read` throws, as `status(id)` would).
 */
import type { LockStatus } from './lock-status.js';

export function lazyStatuses(ids: readonly string[], read: (id: string) => LockStatus): LockStatus[] {
  const statuses: LockStatus[] = [];
  ids.forEach((id, i) => {
    let status: LockStatus | undefined;
    Object.defineProperty(statuses, i, {
      enumerable: true,
      configurable: true,
      get: () => {
        status ??= read(id);
        return status;
      },
    });
  });
  return statuses;
}
