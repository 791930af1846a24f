/**
 * The typed events relock reports to the host.
 *
 * Invariants:
 * - every event is plain JSON data: ids, instants (epoch ms), counts and messages; none carries
 *   a PIN, a lock record or a store value;
 * - a failure anywhere (driver, notifier, store) is reported as an event, never thrown into an
 *   actor;
 * - a subscriber that throws is isolated: other subscribers and the actors go on;
 * - every event a subscriber sees carries `at`, when it was emitted (epoch ms), read from the
 *   system's injected clock in one place: the hub's `emit`. Emit sites never set it.
 */
import type { StoreOperation } from './errors.js';
import type { HostFunction } from './ports/host-guards.js';

/**
 * What a fire did: `locked` (the command was accepted), `already-locked` (nothing to do),
 * `retry-pending` (the door was open: relock waits for it to close), `jammed` (no command to a
 * jammed lock: reported as `autolock.held`, never as `autolock.fired`), `missing` (the lock is gone).
 */
export type FireOutcome = 'locked' | 'already-locked' | 'retry-pending' | 'jammed' | 'missing';

/** An event as an emit site builds it: everything but `at`, which the hub stamps. */
export type RelockEventData =
  | {
      readonly type: 'autolock.started';
      readonly lockId: string;
      readonly endsAt: number;
      readonly durationSeconds: number;
      /** The autolock was found in the store at start-up (a replay), not started by this process. */
      readonly recovered: boolean;
      /**
       * `countdown` for a new cycle; a recovered cycle resumes where it was: `retry` (the next
       * attempt is due at `endsAt`) or `confirm` (a command awaits its `locked` report until `endsAt`).
       */
      readonly stage: 'countdown' | 'retry' | 'confirm';
    }
  /** `warnSeconds` before the first command of a countdown. */
  | { readonly type: 'autolock.warning'; readonly lockId: string; readonly endsAt: number }
  /** Attempt `attempt` of `attempts`: the lock is looked at and, if it needs it, sent a command. */
  | { readonly type: 'autolock.attempt'; readonly lockId: string; readonly attempt: number; readonly attempts: number }
  | { readonly type: 'autolock.cancelled'; readonly lockId: string }
  | {
      readonly type: 'autolock.fired';
      readonly lockId: string;
      readonly outcome: FireOutcome;
      readonly attempt: number;
      /** The command was accepted; the cycle ends with `autolock.confirmed` (or fails unconfirmed). */
      readonly awaitingConfirmation: boolean;
    }
  /** The lock reported `locked` after an accepted command. */
  | { readonly type: 'autolock.confirmed'; readonly lockId: string; readonly attempt: number }
  | {
      readonly type: 'autolock.failed';
      readonly lockId: string;
      readonly reason: string;
      readonly attempt: number;
      readonly attempts: number;
      /** The command was accepted but the lock did not report `locked` within `confirmSeconds`. */
      readonly unconfirmed: boolean;
      /** When the next attempt is due; null when none is scheduled. */
      readonly nextAttemptAt: number | null;
      /** The last attempt failed: the entry is kept and replayed after a restart. */
      readonly keptForReplay: boolean;
    }
  /** No command is sent while the lock is jammed; the autolock waits for `locked` or `unlocked`. */
  | { readonly type: 'autolock.held'; readonly lockId: string; readonly reason: 'jammed' }
  | { readonly type: 'autolock.retry-pending'; readonly lockId: string }
  /** The host reported the lock jammed (`cleared`: it reported locked or unlocked since). */
  | { readonly type: 'lock.jammed'; readonly lockId: string; readonly cleared: boolean }
  /** The door has been open for `doorOpenNoticeMinutes`. */
  | { readonly type: 'door.left-open'; readonly lockId: string; readonly minutes: number }
  | { readonly type: 'store.error'; readonly key: string; readonly operation: StoreOperation; readonly message: string }
  | { readonly type: 'store.pruned'; readonly key: string; readonly reason: string }
  /**
   * A record of a newer format (written by a newer relock) is kept untouched and not read: its
   * lock's autolock stays off until it can be read. Reported once per key.
   */
  | { readonly type: 'store.unreadable'; readonly key: string; readonly reason: string }
  /** Another relock system took the store over: this one sends no more commands and stops. */
  | { readonly type: 'store.lost'; readonly store: string; readonly message: string }
  | {
      readonly type: 'notifier.error';
      readonly lockId: string;
      readonly notificationId: string;
      readonly message: string;
    }
  | { readonly type: 'lock.error'; readonly lockId: string; readonly message: string }
  /** A function the host handed over (daylight, clock, inspect, a status observer) failed; a fallback was used. */
  | {
      readonly type: 'host.error';
      readonly source: HostFunction;
      readonly message: string;
      readonly lockId?: string;
    };

/** Adds the emission time to each variant of an event union (keeping the union discriminated). */
type Stamped<E> = E extends unknown
  ? E & { /** When relock emitted the event: epoch ms, from its clock. */ readonly at: number }
  : never;

/** An event relock reports to the host; every one carries `at`, when it was emitted (epoch ms). */
export type RelockEvent = Stamped<RelockEventData>;
export type RelockEventType = RelockEvent['type'];
/** What a subscriber is: it sees stamped events. */
export type EventListener = (event: RelockEvent) => void;
/** What an emit site calls: it hands over an event without `at`. */
export type EventSink = (event: RelockEventData) => void;

/**
 * A fan-out of events to subscribers, isolating each from the others' failures, and the one
 * place an event gets its `at`.
 */
export class EventHub {
  readonly #listeners = new Set<EventListener>();
  readonly #now: (() => number) | undefined;
  /** Events emitted while the clock is being read (a failing clock reports itself): stamped after. */
  readonly #deferred: RelockEventData[] = [];
  #reading = false;
  #last = 0;

  /**
   * `now`: the system's clock (read at each emit). A hub without one forwards events another hub
   * has stamped, as they are (a cluster passing on its member's events).
   */
  constructor(now?: () => number) {
    this.#now = now;
  }

  readonly emit: EventSink = (data) => {
    if (this.#now === undefined) {
      this.#deliver(data as RelockEvent);
      return;
    }
    if (this.#reading) {
      this.#deferred.push(data);
      return;
    }
    this.#reading = true;
    try {
      this.#last = this.#now();
    } catch {
      // a clock that throws (relock's own is guarded and does not): the last time read
    } finally {
      this.#reading = false;
    }
    const at = this.#last;
    // what the clock reported while it was read comes first, with the same time
    for (const early of this.#deferred.splice(0)) this.#deliver({ ...early, at } as RelockEvent);
    this.#deliver({ ...data, at } as RelockEvent);
  };

  #deliver(event: RelockEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // a subscriber's failure is its own
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}
