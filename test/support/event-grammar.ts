/**
 * The grammar of one lock's autolock events, as the README states it, checked event by event.
 *
 * Per lock, in the order a subscriber sees them (one system's life; a restart starts anew):
 * - `autolock.started` opens a cycle (it may come again while one is open: a re-arm); one that
 *   says `stage: 'confirm'` (recovered) awaits the confirmation of a command sent before a restart;
 * - `autolock.cancelled`, `autolock.confirmed`, and an `autolock.fired` that awaits no
 *   confirmation close an open cycle, and only an open one; `autolock.confirmed` comes only after
 *   an `autolock.fired` that awaits it;
 * - `autolock.attempt`, `autolock.warning`, `autolock.failed` (the cycle stays open: retried, or
 *   kept for replay) and `autolock.held` come only inside an open cycle;
 * - `autolock.retry-pending` comes only inside an open cycle (the fire found the door open),
 *   and the `autolock.fired` that closes that cycle says `retry-pending`.
 */
import type { RelockEventData } from '../../src/events.js';

interface LockGrammar {
  open: boolean;
  awaiting: boolean;
  deferredInCycle: boolean;
}

export class EventGrammar {
  readonly #locks = new Map<string, LockGrammar>();
  readonly #seen: string[] = [];

  /** Checks one event; returns a description of the violation, or undefined when it is well-formed. */
  accept(event: RelockEventData): string | undefined {
    if (!('lockId' in event) || !event.type.startsWith('autolock.')) return undefined;
    const lockId = event.lockId as string;
    const lock = this.#locks.get(lockId) ?? { open: false, awaiting: false, deferredInCycle: false };
    this.#locks.set(lockId, lock);
    this.#seen.push(`${event.type}${event.type === 'autolock.fired' ? `(${event.outcome})` : ''} ${lockId}`);
    const wrong = (why: string) => `${event.type} for ${lockId} ${why}; events: ${this.#seen.slice(-12).join(', ')}`;
    const close = () => {
      lock.open = false;
      lock.awaiting = false;
      lock.deferredInCycle = false;
    };
    if (event.type !== 'autolock.started' && !lock.open) return wrong('with no open cycle');
    switch (event.type) {
      case 'autolock.started':
        lock.open = true;
        // a cycle recovered in its confirmation wait awaits the confirmation of a command sent before the restart
        lock.awaiting = event.stage === 'confirm';
        lock.deferredInCycle = false;
        return undefined;
      case 'autolock.cancelled':
        close();
        return undefined;
      case 'autolock.fired':
        if (lock.deferredInCycle !== (event.outcome === 'retry-pending')) {
          return wrong(`says ${event.outcome}, but retry-pending ${lock.deferredInCycle ? 'was' : 'was not'} reported`);
        }
        if (event.awaitingConfirmation) lock.awaiting = true;
        else close();
        return undefined;
      case 'autolock.confirmed':
        if (!lock.awaiting) return wrong('with no accepted command awaiting confirmation');
        close();
        return undefined;
      case 'autolock.retry-pending':
        lock.deferredInCycle = true;
        return undefined;
      case 'autolock.failed':
        lock.awaiting = false;
        return undefined;
      default:
        return undefined;
    }
  }

  /** A new system: the stream starts anew. */
  restart(): void {
    this.#locks.clear();
  }
}
