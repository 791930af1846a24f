/**
 * The grammar of one lock's autolock events, as the README states it, checked event by event.
 *
 * Per lock, in the order a subscriber sees them (one system's life; a restart starts anew):
 * - `autolock.started` opens a cycle (it may come again while one is open: a re-arm);
 * - `autolock.cancelled` and `autolock.fired` close an open cycle, and only an open one;
 * - `autolock.retry-pending` comes only inside an open cycle (the fire found the door open),
 *   and the `autolock.fired` that closes that cycle says `retry-pending`;
 * - `autolock.failed` comes inside an open cycle (the fire failed; the cycle stays open, its
 *   entry kept), or after a `retry-pending` (the door-close retry's command failed).
 */
import type { RelockEvent } from '../../src/events.js';

interface LockGrammar {
  open: boolean;
  retrying: boolean;
  deferredInCycle: boolean;
}

export class EventGrammar {
  readonly #locks = new Map<string, LockGrammar>();
  readonly #seen: string[] = [];

  /** Checks one event; returns a description of the violation, or undefined when it is well-formed. */
  accept(event: RelockEvent): string | undefined {
    if (!('lockId' in event) || !event.type.startsWith('autolock.')) return undefined;
    const lockId = event.lockId as string;
    const lock = this.#locks.get(lockId) ?? { open: false, retrying: false, deferredInCycle: false };
    this.#locks.set(lockId, lock);
    this.#seen.push(`${event.type}${event.type === 'autolock.fired' ? `(${event.outcome})` : ''} ${lockId}`);
    const wrong = (why: string) => `${event.type} for ${lockId} ${why}; events: ${this.#seen.slice(-12).join(', ')}`;
    switch (event.type) {
      case 'autolock.started':
        lock.open = true;
        lock.deferredInCycle = false;
        return undefined;
      case 'autolock.cancelled':
        if (!lock.open) return wrong('with no open cycle');
        lock.open = false;
        return undefined;
      case 'autolock.fired':
        if (!lock.open) return wrong('with no open cycle');
        if (lock.deferredInCycle !== (event.outcome === 'retry-pending')) {
          return wrong(`says ${event.outcome}, but retry-pending ${lock.deferredInCycle ? 'was' : 'was not'} reported`);
        }
        lock.open = false;
        lock.deferredInCycle = false;
        return undefined;
      case 'autolock.retry-pending':
        if (!lock.open) return wrong('with no open cycle');
        lock.deferredInCycle = true;
        lock.retrying = true;
        return undefined;
      case 'autolock.failed':
        if (lock.open) return undefined;
        if (!lock.retrying) return wrong('with no open cycle and no retry pending');
        lock.retrying = false;
        return undefined;
    }
    return undefined;
  }

  /** A new system: the stream starts anew. */
  restart(): void {
    this.#locks.clear();
  }
}
