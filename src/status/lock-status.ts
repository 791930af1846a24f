/**
 * The status read model of one lock: what a UI shows, kept in an `@xstate/store` store that it
 * can subscribe to.
 *
 * Invariants:
 * - derived only from the lock actor's and the timer actor's snapshots; never written by hand;
 * - plain JSON data: no PIN, no code slot, no actor ref;
 * - one store per lock, so an update costs the same at 10 locks as at 10,000;
 * - a refresh with nothing changed does not notify subscribers.
 */
import { createStore } from '@xstate/store';
import type { TimerState, TimerStatus } from '../actors/autolock-timer.actor.js';
import { type LockSnapshot, lockRuntimeOf } from '../actors/lock.actor.js';
import type { DoorState, LockState } from '../model/lock-runtime.js';
import { guardObserver } from '../ports/host-guards.js';

export interface LockStatus {
  readonly id: string;
  readonly name: string;
  readonly lockState: LockState;
  readonly doorState: DoorState;
  readonly pendingRetry: boolean;
  readonly autolockEnabled: boolean;
  readonly timerState: TimerState;
  /** Whether a fire is scheduled or in flight. */
  readonly running: boolean;
  /** When the autolock is due (epoch ms), or null. */
  readonly endsAt: number | null;
  readonly durationSeconds: number | null;
  /** Seconds until `endsAt`, computed when the status is read. */
  readonly remainingSeconds: number | null;
  readonly lastFailure: string | null;
}

export function deriveLockStatus(lock: LockSnapshot, timer: TimerStatus): LockStatus {
  const runtime = lockRuntimeOf(lock);
  const { config, lastFailure } = lock.context;
  return {
    id: config.id,
    name: config.name,
    lockState: runtime.lockState,
    doorState: runtime.doorState,
    pendingRetry: runtime.pendingRetry,
    autolockEnabled: config.autolock.enabled,
    timerState: timer.state,
    running: timer.running,
    endsAt: timer.endsAt,
    durationSeconds: timer.durationSeconds,
    remainingSeconds: timer.remainingSeconds,
    lastFailure,
  };
}

function sameStatus(a: LockStatus, b: LockStatus): boolean {
  for (const key of Object.keys(a) as (keyof LockStatus)[]) {
    if (key !== 'remainingSeconds' && a[key] !== b[key]) return false;
  }
  return true;
}

/**
 * The store of one lock's status. `onObserverError` hears of an observer that threw: a UI's
 * failure is reported, never thrown into relock, and the other observers still hear the change.
 */
export function createLockStatusStore(initial: LockStatus, onObserverError: (message: string) => void = () => {}) {
  const store = createStore({
    context: { status: initial },
    on: {
      refresh: (context, event: { status: LockStatus }) =>
        sameStatus(context.status, event.status) ? context : { status: event.status },
    },
  });
  const subscribe = store.subscribe;
  store.subscribe = (observer) =>
    subscribe(
      guardObserver(observer, 'statusStore', (_source, message) => onObserverError(message)) as Parameters<
        typeof subscribe
      >[0],
    );
  return store;
}

export type LockStatusStore = ReturnType<typeof createLockStatusStore>;
