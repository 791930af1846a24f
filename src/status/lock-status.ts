/**
 * The status read model of one lock: what a UI shows, kept in an `@xstate/store` store that it
 * can subscribe to.
 *
 * Invariants:
 * - derived only from the lock actor's and the timer actor's snapshots; never written by hand;
 * - plain JSON data: no PIN, no code slot, no actor ref;
 * - one store per lock, so an update costs the same at 10 locks as at 10,000;
 * - a refresh with nothing changed does not notify subscribers;
 * - `autolock` names, in one word a UI can switch on, where the lock's autolock is (the lock's
 *   jam and door wait first, then the timer's phase); `summary` says it in plain words, without
 *   numbers that change by the second: a UI counts down from `endsAt` itself (`remainingSeconds`
 *   is computed when the status is read, and a store is not refreshed just because time passed).
 */
import { createStore } from '@xstate/store';
import { type LockSnapshot, lockRuntimeOf } from '../machines/lock-snapshot.js';
import type { AutolockSettings } from '../model/lock-config.js';
import type { DoorState, LockRuntime, LockState } from '../model/lock-runtime.js';
import { guardObserver } from '../ports/host-guards.js';
import type { TimerState, TimerStatus } from './timer-status.js';

/**
 * Where a lock's autolock is:
 * - `off`: autolock is disabled; `idle`: enabled, nothing counting (the lock is locked, or the
 *   countdown was cancelled); `starting`: the stored timer is still being read at start-up;
 * - `counting-down`: the lock command is due at `endsAt`;
 * - `locking`: a lock command is being sent (attempt `attempt` of `attempts`);
 * - `confirming`: the command was accepted; waiting until `endsAt` for the lock to report locked;
 * - `retrying`: an attempt failed or was not confirmed; the next is due at `endsAt`;
 * - `waiting-for-door`: the door was open at the deadline; the lock is locked when it closes;
 * - `jammed`: the lock reports jammed; no command is sent until it reports locked or unlocked;
 * - `failed`: every attempt failed; the autolock is kept and replayed at the next restart (or
 *   starts anew at the next unlock);
 * - `ending`: the cycle is over and its stored entry is being removed (retried while the store fails).
 */
export type AutolockPhase =
  | 'off'
  | 'idle'
  | 'starting'
  | 'counting-down'
  | 'locking'
  | 'confirming'
  | 'retrying'
  | 'waiting-for-door'
  | 'jammed'
  | 'failed'
  | 'ending';

export interface LockStatus {
  readonly id: string;
  readonly name: string;
  readonly lockState: LockState;
  readonly doorState: DoorState;
  readonly pendingRetry: boolean;
  readonly autolockEnabled: boolean;
  /** The lock's autolock settings now in force (day and night minutes, door mode, policy). */
  readonly autolockSettings: AutolockSettings;
  readonly timerState: TimerState;
  /** Whether a fire is scheduled or in flight. */
  readonly running: boolean;
  /** When the autolock is due (epoch ms), or null. */
  readonly endsAt: number | null;
  readonly durationSeconds: number | null;
  /** Seconds until `endsAt`, computed when the status is read. */
  readonly remainingSeconds: number | null;
  readonly lastFailure: string | null;
  readonly autolock: AutolockPhase;
  /** `autolock` in plain words a UI can show (stable while the phase lasts). */
  readonly summary: string;
  /**
   * Attempts of the current cycle made so far (each looks at the lock and sends a command if it
   * needs one), and the most a cycle makes.
   */
  readonly attempt: number;
  readonly attempts: number;
}

const PHASE_OF_TIMER: Record<string, AutolockPhase> = {
  fresh: 'starting',
  recovering: 'starting',
  arming: 'counting-down',
  active: 'counting-down',
  firing: 'locking',
  confirming: 'confirming',
  retrying: 'retrying',
  failed: 'failed',
  held: 'jammed',
  clearing: 'ending',
};

function autolockPhase(lock: LockSnapshot, timer: TimerStatus, runtime: LockRuntime): AutolockPhase {
  if (runtime.lockState === 'jammed') return 'jammed';
  if (runtime.pendingRetry) return 'waiting-for-door';
  const phase = PHASE_OF_TIMER[timer.phase];
  if (phase !== undefined) return phase;
  return lock.context.config.autolock.enabled ? 'idle' : 'off';
}

/** An instant as the notices say it: `HH:MM:SS UTC` (a UI shows `endsAt` in its own zone). */
function utcTime(at: number | null): string {
  return at === null ? 'the end time' : `${new Date(at).toISOString().slice(11, 19)} UTC`;
}

function summaryOf(phase: AutolockPhase, attempt: number, attempts: number, endsAt: number | null): string {
  const of = `attempt ${attempt} of ${attempts}`;
  switch (phase) {
    case 'off':
      return 'Autolock is off.';
    case 'idle':
      return 'Autolock is on; no countdown is running.';
    case 'starting':
      return 'Reading the stored autolock after start-up.';
    case 'counting-down':
      return `Counting down: the lock will be locked at ${utcTime(endsAt)}.`;
    case 'locking':
      return `Sending the lock command (${of}).`;
    case 'confirming':
      return `Lock command accepted (${of}); waiting until ${utcTime(endsAt)} for the lock to report locked.`;
    case 'retrying':
      return attempt >= attempts
        ? `The lock did not lock (${of}); no attempt is left, so the autolock is kept for a restart or the next unlock.`
        : `The lock did not lock (${of}); trying again at ${utcTime(endsAt)}.`;
    case 'waiting-for-door':
      return 'The door is open: the lock will be locked when it closes.';
    case 'jammed':
      return 'The lock is jammed: no lock command is sent until it reports locked or unlocked. Please check the door.';
    case 'failed':
      return `Could not lock after ${attempt} attempt${attempt === 1 ? '' : 's'}: kept, and tried again after a restart or the next unlock.`;
    case 'ending':
      return 'The autolock is over; its stored entry is being removed.';
  }
}

export function deriveLockStatus(lock: LockSnapshot, timer: TimerStatus): LockStatus {
  const runtime = lockRuntimeOf(lock);
  const { config, lastFailure } = lock.context;
  const autolock = autolockPhase(lock, timer, runtime);
  const attempts = config.autolock.maxAttempts;
  return {
    id: config.id,
    name: config.name,
    lockState: runtime.lockState,
    doorState: runtime.doorState,
    pendingRetry: runtime.pendingRetry,
    autolockEnabled: config.autolock.enabled,
    autolockSettings: config.autolock,
    timerState: timer.state,
    running: timer.running,
    endsAt: timer.endsAt,
    durationSeconds: timer.durationSeconds,
    remainingSeconds: timer.remainingSeconds,
    lastFailure,
    autolock,
    summary: summaryOf(autolock, timer.attempt, attempts, timer.endsAt),
    attempt: timer.attempt,
    attempts,
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
