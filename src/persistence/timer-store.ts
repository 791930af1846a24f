/**
 * The timer entries of all locks, one key per lock, read and written through the persistence
 * actor.
 *
 * Invariants:
 * - the key of a lock's entry is `timer:<lockId>`; nothing else is written under it;
 * - a read that fails throws `StoreError`: a failed read never counts as "no entry";
 * - a corrupt entry is logged as a warning, reported, removed, and read as absent; it never
 *   throws and never stops recovery.
 */
import type { Persistence } from '../actors/persistence.actor.js';
import type { EventSink } from '../events.js';
import type { Logger } from '../logger.js';
import { decodeTimerEntry, encodeTimerEntry } from './timer-codec.js';
import type { TimerEntry } from './timer-entry.js';

export function timerKey(lockId: string): string {
  return `timer:${lockId}`;
}

export class TimerStore {
  readonly #persistence: Persistence;
  readonly #logger: Logger;
  readonly #emit: EventSink;

  constructor(persistence: Persistence, logger: Logger, emit: EventSink) {
    this.#persistence = persistence;
    this.#logger = logger;
    this.#emit = emit;
  }

  async read(lockId: string): Promise<TimerEntry | null> {
    const key = timerKey(lockId);
    const raw = await this.#persistence.read(key);
    if (raw === undefined || raw === null) return null;
    const decoded = decodeTimerEntry(raw);
    if (decoded.ok) return decoded.entry;
    this.#logger.warn('Pruning a corrupt timer entry', { key, reason: decoded.reason });
    this.#emit({ type: 'store.pruned', key, reason: decoded.reason });
    // a failed prune is reported by the persistence actor; the entry still reads as absent
    this.#persistence.remove(key).catch(() => {});
    return null;
  }

  write(lockId: string, entry: TimerEntry): Promise<void> {
    return this.#persistence.write(timerKey(lockId), encodeTimerEntry(entry));
  }

  remove(lockId: string): Promise<void> {
    return this.#persistence.remove(timerKey(lockId));
  }
}
