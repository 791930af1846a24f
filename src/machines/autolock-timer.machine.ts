/**
 * The autolock timer statechart: one per lock, outliving every reload of that lock.
 *
 *   fresh ──RECOVER──▶ recovering ──no entry──▶ done       (RECOVERED: the same, entry read by the caller)
 *                          │ entry due later ─▶ active | retrying | confirming (by the entry's stage)
 *                          │ entry overdue ───▶ firing  (a confirmation overdue: confirming, which decides at once)
 *   done/failed/held ──START──▶ arming ──durable──▶ active ──START/EXTEND──▶ arming (re-arm)
 *   arming/active ──deadline──▶ firing ──accepted──▶ confirming ──locked report──▶ clearing ─▶ done
 *                                  │ nothing to do, or accepted and no confirmation asked ──▶ clearing
 *                                  │ error/timeout, attempts left ──▶ retrying ──due──▶ firing
 *                                  │ error/timeout, none left ──▶ failed (entry kept for replay)
 *                                  │ lock jammed ──▶ held (no command; entry kept)
 *   confirming ──no locked report in time──▶ retrying, or failed when no attempt is left
 *   confirming/retrying ──JAMMED──▶ held
 *   active/arming/retrying/confirming/failed/held ──CANCEL──▶ clearing ──removed──▶ done
 *   any ──RETIRE──▶ retired (final; an in-flight fire is abandoned and its entry kept for replay)
 *
 * Invariants:
 * - the machine reads no clock and does no I/O: the deadline delay, the deadline check, the
 *   overdue check, the arming of an entry and the lock's retry policy are supplied with
 *   `.provide()` (see `src/actors/autolock-timer.actor.ts`), so the same picture runs on a real
 *   or a simulated clock;
 * - the entry's `endsAt` is when the next step is due (a command, or the end of a confirmation
 *   wait), an instant on the wall clock: one DEADLINE_CHECK is scheduled per step (at most
 *   `deadlineCheck` ahead), and a check that finds the instant not yet reached schedules the
 *   next; a wall-clock step either way moves the step with it, late by at most one check period;
 * - every step of a cycle is written to the store before it is waited for (`arming`, `retrying`,
 *   `confirming` write; the wait runs meanwhile, so a slow store never delays a lock); a restart
 *   resumes the step on disk: a confirmation is waited for again, never answered with a second
 *   command, and a retry keeps its attempt number and time;
 * - a cycle sends at most `maxAttempts` lock commands, the first at the deadline and each
 *   retry after a doubling backoff; an unconfirmed command counts as a failed one; after the last,
 *   the entry is kept for replay after a restart (`failed`);
 * - the public state is ACTIVE exactly while an entry is on disk (`active`, `firing`,
 *   `retrying`, `confirming`, `failed`, `held`, `clearing`); before that it is ARMING;
 * - a start before recovery is not accepted (FRESH has no START);
 * - every store call and every fire is a request sent by an entry action, numbered; its reply comes
 *   back as an event (`STORE_DONE`/`STORE_FAILED`, `FIRE_DONE`/`FIRE_FAILED`), and a reply to any
 *   request but the latest is dropped by the sender (no actor is spawned per request);
 * - a fire is bounded by `actionTimeout` and its signal is aborted when `firing` is left; a CANCEL or START that arrives
 *   while it is in flight is held and honoured when it ends, so a cancel never races a fire; a
 *   fire that succeeds under a held cancel ends the cycle (the `fired` event says `cancelled`);
 * - a locked report (CANCEL with `locked`) ends the cycle at once wherever it is: while a
 *   command waits for confirmation it is the confirmation (`confirmed`), elsewhere a cancel;
 * - no command is sent to a jammed lock: a fire that finds the lock jammed, or a jam reported
 *   while a command waits to be confirmed or retried, holds the autolock (`held`) until the lock
 *   reports `locked` (the cycle ends) or a new cycle starts;
 * - a removal (after a fire, or a cancel) is retried until durable, like a write: status never
 *   says DONE while the entry is still on disk; a timer retired while retrying tries once more;
 * - per cycle, the emitted events follow one grammar: `started` (also for an entry recovered
 *   from the store, or a re-arm) opens it; `cancelled`, `confirmed`, and a `fired` that awaits no
 *   confirmation close it; `attempt`, `failed`, `held` and `warning` come only inside it;
 *   nothing is emitted for a cycle that was never opened;
 * - a fire that finds its lock gone is terminal: the entry is removed and the timer is DONE.
 */
import { and, assign, cancel, emit, raise, setup } from 'xstate';
import { notProvided as missing } from '../errors.js';
import type { FireOutcome } from '../events.js';
import type { TimerEntry } from '../persistence/timer-entry.js';

export interface AutolockTimerContext {
  readonly lockId: string;
  readonly entry: TimerEntry | null;
  /** The number of the lock command in flight, or of the last one sent (0: none yet this cycle). */
  readonly attempt: number;
  /** A CANCEL received while a fire, a recovery or a removal was in flight. */
  readonly cancelRequested: boolean;
  /** The duration of a START received while a fire or a removal was in flight. */
  readonly pendingStart: number | null;
  /** Consecutive store failures, which set the retry backoff. */
  readonly storeFailures: number;
  readonly lastError: string | null;
  /** This countdown's warning has been emitted (or its time had passed before a restart). */
  readonly warned: boolean;
  /** The lock reported jammed while the fire was in flight: whatever the fire answers, no retry follows. */
  readonly jamDuringFire: boolean;
  /** The number of the latest request (store call or fire): only its reply is taken. */
  readonly requestSeq: number;
}

export type AutolockTimerEvent =
  | { readonly type: 'RECOVER' }
  /** Recovery with the stored entry already read by the caller (a bulk add reads it alongside the lock). */
  | { readonly type: 'RECOVERED'; readonly entry: TimerEntry | null }
  | { readonly type: 'START'; readonly durationSeconds: number }
  /** Pushes a running countdown's end later (the old end stays armed until the new one is written). */
  | { readonly type: 'EXTEND'; readonly seconds: number }
  /** Ends the cycle; `locked`: because the lock reported locked (a confirmation while one is awaited). */
  | { readonly type: 'CANCEL'; readonly locked?: boolean }
  /** The lock reported jammed: no command while it is. */
  | { readonly type: 'JAMMED' }
  /** The lock reported locked or unlocked after a jam. */
  | { readonly type: 'UNJAMMED' }
  /** Stops the timer for good (lock removed or system shut down); a stored entry stays. */
  | { readonly type: 'RETIRE' }
  /** Scheduled by the timer itself: is the next step due on the wall clock? */
  | { readonly type: 'DEADLINE_CHECK' }
  /** The store answered request `seq` (a read answers with the entry it found). */
  | { readonly type: 'STORE_DONE'; readonly seq: number; readonly entry?: TimerEntry | null }
  | { readonly type: 'STORE_FAILED'; readonly seq: number; readonly error: string }
  /** The fire of request `seq` ended: what it did, or why it failed. */
  | { readonly type: 'FIRE_DONE'; readonly seq: number; readonly outcome: FireOutcome }
  | { readonly type: 'FIRE_FAILED'; readonly seq: number; readonly error: string };

export type AutolockTimerEmitted =
  | {
      readonly type: 'started';
      readonly lockId: string;
      readonly endsAt: number;
      readonly durationSeconds: number;
      /** The entry was found in the store at start-up (a replay), not armed by this process. */
      readonly recovered: boolean;
      /** Where the cycle resumes: a countdown, or (recovered) a retry or a confirmation wait. */
      readonly stage: TimerEntry['stage'];
    }
  | { readonly type: 'warning'; readonly lockId: string; readonly endsAt: number }
  /** A lock command (or the decision not to send one) is about to be made: attempt n of the cycle. */
  | { readonly type: 'attempt'; readonly lockId: string; readonly attempt: number }
  | { readonly type: 'cancelled'; readonly lockId: string }
  | {
      readonly type: 'fired';
      readonly lockId: string;
      readonly outcome: FireOutcome;
      readonly attempt: number;
      /** A cancel was asked for while the fire was in flight: the cycle ends here, nothing re-arms. */
      readonly cancelled: boolean;
      /** The command was accepted and a `locked` report is awaited (the cycle stays open). */
      readonly awaitingConfirmation: boolean;
    }
  | { readonly type: 'confirmed'; readonly lockId: string; readonly attempt: number }
  | {
      readonly type: 'failed';
      readonly lockId: string;
      readonly reason: string;
      readonly attempt: number;
      /** The command was accepted but no `locked` report came in time. */
      readonly unconfirmed: boolean;
      /** When the next attempt is due, or null when none is scheduled. */
      readonly nextAttemptAt: number | null;
      /** No attempt is left: the entry is kept and replayed after a restart. */
      readonly keptForReplay: boolean;
    }
  /** The lock is jammed: no command is sent until it reports locked or unlocked. */
  | { readonly type: 'held'; readonly lockId: string };

export interface AutolockTimerInput {
  readonly lockId: string;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The entry a recovery found: from a RECOVERED event or from the store's answer to the read. */
export function recoveredEntry(event: { type: string }): TimerEntry | null {
  return (event as { entry?: TimerEntry | null }).entry ?? null;
}

function failureReason(event: { type: string; error?: unknown }): string {
  if (event.type === 'DEADLINE_CHECK') return 'the lock did not report locked in time';
  return event.type === 'FIRE_FAILED' ? errorMessage(event.error) : 'the lock action timed out';
}

/** What follows a failed attempt, as the `failed` event says it. */
type AfterFailure = { readonly next: 'retry' | 'keep' | 'none' };

const foundStage =
  (stage: TimerEntry['stage']) =>
  ({ event }: { event: { type: string } }) =>
    recoveredEntry(event)?.stage === stage;

const outputIs =
  (outcome: FireOutcome) =>
  ({ event }: { event: { type: string } }) =>
    (event as { outcome?: FireOutcome }).outcome === outcome;

/**
 * What follows a failed attempt (the driver threw, or `actionTimeout` passed): a held cancel or
 * start decides first; then a jam reported meanwhile holds; then a retry if one is left, else the
 * entry is kept for replay.
 */
const ATTEMPT_FAILED = [
  {
    guard: 'cancelHeld',
    target: 'clearing',
    actions: [{ type: 'emitFailed', params: { next: 'none' } }, 'emitCancelled'],
  },
  {
    guard: 'startHeld',
    target: 'arming',
    actions: [{ type: 'emitFailed', params: { next: 'none' } }, 'armEntry'],
  },
  // no retry to a lock that reported jammed while the command was out
  {
    guard: 'jamReported',
    target: 'held',
    actions: ['keepForReplay', { type: 'emitFailed', params: { next: 'none' } }, 'emitHeld'],
  },
  {
    guard: 'attemptsLeft',
    target: 'retrying',
    actions: ['armRetryEntry', { type: 'emitFailed', params: { next: 'retry' } }],
  },
  { target: 'failed', actions: ['keepForReplay', { type: 'emitFailed', params: { next: 'keep' } }] },
] as const;

export const autolockTimerMachine = setup({
  types: {
    context: {} as AutolockTimerContext,
    events: {} as AutolockTimerEvent,
    input: {} as AutolockTimerInput,
    emitted: {} as AutolockTimerEmitted,
  },
  actions: {
    /** Numbers the next request: a reply to any earlier one is dropped. */
    nextRequest: assign({ requestSeq: ({ context }) => context.requestSeq + 1 }),
    /** Asks the store for the lock's entry; the answer comes back as STORE_DONE (with `entry`) or STORE_FAILED. */
    requestRead: missing('action', 'requestRead'),
    /** Asks the store to write the context's entry. */
    requestWrite: missing('action', 'requestWrite'),
    /** Asks the store to remove the lock's entry. */
    requestRemove: missing('action', 'requestRemove'),
    /** Performs the fire on the live lock; the answer comes back as FIRE_DONE or FIRE_FAILED. */
    requestFire: missing('action', 'requestFire'),
    /** Aborts the signal of the fire in flight, if any (firing was left). */
    abortFire: missing('action', 'abortFire'),
    /** Sets a new countdown entry from START's duration (or a held start) and the clock. */
    armEntry: missing('action', 'armEntry'),
    /** Sets the entry of the retry that follows a failed attempt (its time by the lock's backoff). */
    armRetryEntry: missing('action', 'armRetryEntry'),
    /** Sets the entry of the wait for a `locked` report after an accepted command. */
    armConfirmEntry: missing('action', 'armConfirmEntry'),
    /** The entry kept for replay after a restart: a countdown already due (replayed as a new cycle). */
    keepForReplay: missing('action', 'keepForReplay'),
    extendEntry: assign(({ context, event }) => {
      const entry = context.entry as TimerEntry;
      const seconds = event.type === 'EXTEND' ? event.seconds : 0;
      return {
        entry: { ...entry, endsAt: entry.endsAt + seconds * 1000, durationSeconds: entry.durationSeconds + seconds },
        warned: false,
      };
    }),
    adoptRecoveredEntry: assign(({ event }) => {
      const entry = recoveredEntry(event);
      return { entry, attempt: entry?.attempt ?? 0, warned: false };
    }),
    countAttempt: assign({ attempt: ({ context }) => (context.entry?.attempt ?? 0) + 1, jamDuringFire: false }),
    noteJam: assign({ jamDuringFire: true }),
    forgetJam: assign({ jamDuringFire: false }),
    /**
     * A recovered entry, made plausible (needs the clock and the lock's settings): a countdown whose
     * warning time has passed is not warned again; a retry or a confirmation wait ends no later than
     * the lock's settings allow from now (a hostile or clock-stepped entry cannot hold the lock).
     */
    settleRecoveredEntry: missing('action', 'settleRecoveredEntry'),
    forgetEntry: assign({ entry: null, attempt: 0 }),
    holdCancel: assign({ cancelRequested: true, pendingStart: null }),
    holdStart: assign({
      cancelRequested: false,
      pendingStart: ({ event }) => (event.type === 'START' ? event.durationSeconds : null),
    }),
    dropHeldRequests: assign({ cancelRequested: false, pendingStart: null }),
    dropHeldCancel: assign({ cancelRequested: false }),
    countStoreFailure: assign({
      storeFailures: ({ context }) => context.storeFailures + 1,
      lastError: ({ event }) => errorMessage((event as { error?: unknown }).error),
    }),
    resetStoreFailures: assign({ storeFailures: 0 }),
    markWarned: assign({ warned: true }),
    emitStarted: emit(({ context }) => ({
      type: 'started' as const,
      lockId: context.lockId,
      endsAt: context.entry?.endsAt ?? 0,
      durationSeconds: context.entry?.durationSeconds ?? 0,
      recovered: false,
      stage: 'countdown' as const,
    })),
    emitRecovered: emit(({ context, event }) => {
      const entry = recoveredEntry(event);
      return {
        type: 'started' as const,
        lockId: context.lockId,
        endsAt: entry?.endsAt ?? 0,
        durationSeconds: entry?.durationSeconds ?? 0,
        recovered: true,
        stage: entry?.stage ?? 'countdown',
      };
    }),
    emitWarning: emit(({ context }) => ({
      type: 'warning' as const,
      lockId: context.lockId,
      endsAt: context.entry?.endsAt ?? 0,
    })),
    emitAttempt: emit(({ context }) => ({
      type: 'attempt' as const,
      lockId: context.lockId,
      attempt: context.attempt,
    })),
    emitCancelled: emit(({ context }) => ({ type: 'cancelled' as const, lockId: context.lockId })),
    emitConfirmed: emit(({ context }) => ({
      type: 'confirmed' as const,
      lockId: context.lockId,
      attempt: context.attempt,
    })),
    emitHeld: emit(({ context }) => ({ type: 'held' as const, lockId: context.lockId })),
    /** The retry was due but the lock's settings allow no more attempts (lowered meanwhile). */
    emitNoAttemptLeft: emit(({ context }) => ({
      type: 'failed' as const,
      lockId: context.lockId,
      reason: 'no attempt left (maxAttempts was lowered)',
      attempt: context.attempt,
      unconfirmed: false,
      nextAttemptAt: null,
      keptForReplay: true,
    })),
    emitFired: emit(({ context, event }) => ({
      type: 'fired' as const,
      lockId: context.lockId,
      outcome: (event as { outcome?: FireOutcome }).outcome ?? 'missing',
      attempt: context.attempt,
      cancelled: context.cancelRequested,
      // set after armConfirmEntry, in the same transition
      awaitingConfirmation: context.entry?.stage === 'confirm' && context.entry.attempt === context.attempt,
    })),
    emitFailed: emit(({ context, event }, params: AfterFailure) => ({
      type: 'failed' as const,
      lockId: context.lockId,
      reason: failureReason(event as { type: string; error?: unknown }),
      attempt: context.attempt,
      unconfirmed: event.type === 'DEADLINE_CHECK',
      nextAttemptAt: params.next === 'retry' ? (context.entry?.endsAt ?? null) : null,
      keptForReplay: params.next === 'keep',
    })),
    /** Schedules the one pending deadline check of this step (replacing any earlier one). */
    scheduleDeadlineCheck: raise({ type: 'DEADLINE_CHECK' }, { id: 'deadline', delay: 'untilDeadline' }),
    cancelDeadlineCheck: cancel('deadline'),
    /** A timer retired while its removal was failing asks for the removal once more. */
    removeEntryOnce: missing('action', 'removeEntryOnce'),
    /** A timer retired while a write of its entry was failing asks for the write once more. */
    writeEntryOnce: missing('action', 'writeEntryOnce'),
  },
  guards: {
    foundNoEntry: ({ event }) => recoveredEntry(event) === null,
    /**
     * Whether the recovered entry's command is due: a countdown or a retry whose time has passed
     * (a retry only while the lock's settings allow another attempt; needs the clock).
     */
    foundOverdueEntry: missing('guard', 'foundOverdueEntry'),
    foundRetryEntry: foundStage('retry'),
    foundConfirmEntry: foundStage('confirm'),
    /** Whether the entry's instant has passed on the wall clock (needs the clock). */
    deadlineReached: missing('guard', 'deadlineReached'),
    /** Whether the countdown's warning is due now and not yet given (needs the clock and the lock's settings). */
    warningDue: missing('guard', 'warningDue'),
    /** Whether the lock's policy allows another command in this cycle. */
    attemptsLeft: missing('guard', 'attemptsLeft'),
    /** Whether an accepted command waits for a `locked` report (the lock's policy). */
    awaitsConfirmation: missing('guard', 'awaitsConfirmation'),
    /** The confirmation wait is over and another attempt is allowed. */
    unconfirmedWithAttemptsLeft: and(['deadlineReached', 'attemptsLeft']),
    /** A retry is due and the lock's settings (read now) still allow it. */
    retryDue: and(['deadlineReached', 'attemptsLeft']),
    /** The lock no longer asks for a confirmation (a reload said it cannot report lock state): accepted is done. */
    confirmationWaived: missing('guard', 'confirmationWaived'),
    waivedAtDeadline: and(['deadlineReached', 'confirmationWaived']),
    jamReported: ({ context }) => context.jamDuringFire,
    firedIntoJam: outputIs('jammed'),
    cancelHeld: ({ context }) => context.cancelRequested,
    startHeld: ({ context }) => context.pendingStart !== null,
    requestHeld: ({ context }) => context.cancelRequested || context.pendingStart !== null,
    lockedReported: ({ event }) => event.type === 'CANCEL' && event.locked === true,
  },
  delays: {
    /** Milliseconds until the next check: the time left (to the warning, then the step), at most one check period (needs the clock). */
    untilDeadline: missing('delay', 'untilDeadline'),
    /** How long a lock action may take before it counts as failed. */
    actionTimeout: 30_000,
    /** Backoff before a failed store read or write is tried again. */
    storeRetry: ({ context }) => Math.min(60_000, 1_000 * 2 ** Math.max(0, context.storeFailures - 1)),
  },
}).createMachine({
  id: 'autolockTimer',
  context: ({ input }) => ({
    lockId: input.lockId,
    entry: null,
    attempt: 0,
    cancelRequested: false,
    pendingStart: null,
    storeFailures: 0,
    lastError: null,
    warned: false,
    jamDuringFire: false,
    requestSeq: 0,
  }),
  initial: 'fresh',
  on: { RETIRE: '.retired' },
  states: {
    fresh: {
      on: {
        // held for the recovery: whatever it finds is removed (a lock re-added after a failed removal)
        CANCEL: { actions: 'holdCancel' },
        RECOVER: 'recovering',
        RECOVERED: [
          { guard: 'foundNoEntry', target: 'done', actions: 'dropHeldRequests' },
          {
            guard: 'cancelHeld',
            target: 'clearing',
            actions: ['adoptRecoveredEntry', 'dropHeldRequests'],
          },
          { guard: 'foundOverdueEntry', target: 'firing', actions: ['adoptRecoveredEntry', 'emitRecovered'] },
          {
            guard: 'foundRetryEntry',
            target: 'retrying.saved',
            actions: ['adoptRecoveredEntry', 'settleRecoveredEntry', 'emitRecovered'],
          },
          {
            guard: 'foundConfirmEntry',
            target: 'confirming.saved',
            actions: ['adoptRecoveredEntry', 'settleRecoveredEntry', 'emitRecovered'],
          },
          {
            target: 'active',
            actions: [
              'adoptRecoveredEntry',
              'settleRecoveredEntry',
              'emitRecovered',
              'cancelDeadlineCheck',
              'scheduleDeadlineCheck',
            ],
          },
        ],
      },
    },
    recovering: {
      initial: 'reading',
      on: { CANCEL: { actions: 'holdCancel' } },
      states: {
        reading: {
          entry: ['nextRequest', 'requestRead'],
          on: {
            STORE_DONE: [
              {
                guard: 'foundNoEntry',
                target: '#autolockTimer.done',
                actions: ['resetStoreFailures', 'dropHeldRequests'],
              },
              {
                // cancelled before anything was announced: removed without a word
                guard: 'cancelHeld',
                target: '#autolockTimer.clearing',
                actions: ['adoptRecoveredEntry', 'resetStoreFailures', 'dropHeldRequests'],
              },
              {
                guard: 'foundOverdueEntry',
                target: '#autolockTimer.firing',
                actions: ['adoptRecoveredEntry', 'resetStoreFailures', 'emitRecovered'],
              },
              {
                guard: 'foundRetryEntry',
                target: '#autolockTimer.retrying.saved',
                actions: ['adoptRecoveredEntry', 'settleRecoveredEntry', 'resetStoreFailures', 'emitRecovered'],
              },
              {
                guard: 'foundConfirmEntry',
                target: '#autolockTimer.confirming.saved',
                actions: ['adoptRecoveredEntry', 'settleRecoveredEntry', 'resetStoreFailures', 'emitRecovered'],
              },
              {
                target: '#autolockTimer.active',
                actions: [
                  'adoptRecoveredEntry',
                  'settleRecoveredEntry',
                  'resetStoreFailures',
                  'emitRecovered',
                  'cancelDeadlineCheck',
                  'scheduleDeadlineCheck',
                ],
              },
            ],
            STORE_FAILED: { target: 'backoff', actions: 'countStoreFailure' },
          },
        },
        backoff: {
          after: { storeRetry: 'reading' },
        },
      },
    },
    done: {
      on: { START: { target: 'arming', actions: 'armEntry' } },
    },
    arming: {
      initial: 'writing',
      states: {
        writing: {
          entry: ['nextRequest', 'requestWrite'],
          on: {
            STORE_DONE: { target: '#autolockTimer.active', actions: 'resetStoreFailures' },
            STORE_FAILED: { target: 'backoff', actions: 'countStoreFailure' },
          },
        },
        // the entry's write failed: a timer retired now writes it once more (a restart resumes this step)
        backoff: {
          after: { storeRetry: 'writing' },
          on: { RETIRE: { target: '#autolockTimer.retired', actions: 'writeEntryOnce' } },
        },
      },
      // the countdown runs from here: the cycle is announced before the entry is durable
      entry: ['emitStarted', 'cancelDeadlineCheck', 'scheduleDeadlineCheck'],
      on: {
        START: { target: 'arming', reenter: true, actions: 'armEntry' },
        EXTEND: { target: 'arming', reenter: true, actions: 'extendEntry' },
        CANCEL: { target: 'clearing', actions: 'emitCancelled' },
        DEADLINE_CHECK: [
          { guard: 'deadlineReached', target: 'firing' },
          { guard: 'warningDue', actions: ['markWarned', 'emitWarning', 'scheduleDeadlineCheck'] },
          { actions: 'scheduleDeadlineCheck' },
        ],
      },
    },
    active: {
      on: {
        START: { target: 'arming', actions: 'armEntry' },
        EXTEND: { target: 'arming', actions: 'extendEntry' },
        CANCEL: { target: 'clearing', actions: 'emitCancelled' },
        DEADLINE_CHECK: [
          { guard: 'deadlineReached', target: 'firing' },
          { guard: 'warningDue', actions: ['markWarned', 'emitWarning', 'scheduleDeadlineCheck'] },
          { actions: 'scheduleDeadlineCheck' },
        ],
      },
    },
    firing: {
      entry: ['countAttempt', 'emitAttempt', 'nextRequest', 'requestFire'],
      // a fire abandoned (timeout, stop, a state left) has its signal aborted
      exit: 'abortFire',
      on: {
        FIRE_DONE: [
          // a cancel or a start held during the fire decides what follows (clearing re-arms a held start)
          { guard: 'requestHeld', target: 'clearing', actions: ['emitFired', 'dropHeldCancel'] },
          // nothing was sent: the cycle is held, not fired
          { guard: 'firedIntoJam', target: 'held', actions: ['keepForReplay', 'emitHeld'] },
          // the command went out, and the lock reported jammed meanwhile: no confirmation will come
          { guard: 'jamReported', target: 'held', actions: ['keepForReplay', 'emitHeld'] },
          { guard: 'awaitsConfirmation', target: 'confirming', actions: ['armConfirmEntry', 'emitFired'] },
          { target: 'clearing', actions: 'emitFired' },
        ],
        FIRE_FAILED: [...ATTEMPT_FAILED],
        CANCEL: { actions: 'holdCancel' },
        START: { actions: 'holdStart' },
        JAMMED: { actions: 'noteJam' },
        // the host reported locked or unlocked since: the jam is over, the fire's answer decides again
        UNJAMMED: { actions: 'forgetJam' },
      },
      after: {
        actionTimeout: [...ATTEMPT_FAILED],
      },
    },
    // a failed or unconfirmed command waits out its backoff; the next attempt is on disk
    retrying: {
      initial: 'writing',
      states: {
        writing: {
          entry: ['nextRequest', 'requestWrite'],
          on: {
            STORE_DONE: { target: 'saved', actions: 'resetStoreFailures' },
            STORE_FAILED: { target: 'backoff', actions: 'countStoreFailure' },
          },
        },
        // the entry's write failed: a timer retired now writes it once more (a restart resumes this step)
        backoff: {
          after: { storeRetry: 'writing' },
          on: { RETIRE: { target: '#autolockTimer.retired', actions: 'writeEntryOnce' } },
        },
        saved: {},
      },
      entry: ['cancelDeadlineCheck', 'scheduleDeadlineCheck'],
      on: {
        START: { target: 'arming', actions: 'armEntry' },
        CANCEL: { target: 'clearing', actions: 'emitCancelled' },
        JAMMED: { target: 'held', actions: ['keepForReplay', 'emitHeld'] },
        DEADLINE_CHECK: [
          { guard: 'retryDue', target: 'firing' },
          // the settings were lowered meanwhile: the attempts made were the last
          { guard: 'deadlineReached', target: 'failed', actions: ['keepForReplay', 'emitNoAttemptLeft'] },
          { actions: 'scheduleDeadlineCheck' },
        ],
      },
    },
    // an accepted command waits for the lock to report locked; the wait is on disk
    confirming: {
      initial: 'writing',
      states: {
        writing: {
          entry: ['nextRequest', 'requestWrite'],
          on: {
            STORE_DONE: { target: 'saved', actions: 'resetStoreFailures' },
            STORE_FAILED: { target: 'backoff', actions: 'countStoreFailure' },
          },
        },
        // the entry's write failed: a timer retired now writes it once more (a restart resumes this step)
        backoff: {
          after: { storeRetry: 'writing' },
          on: { RETIRE: { target: '#autolockTimer.retired', actions: 'writeEntryOnce' } },
        },
        saved: {},
      },
      entry: ['cancelDeadlineCheck', 'scheduleDeadlineCheck'],
      on: {
        START: { target: 'arming', actions: 'armEntry' },
        CANCEL: [
          { guard: 'lockedReported', target: 'clearing', actions: 'emitConfirmed' },
          { target: 'clearing', actions: 'emitCancelled' },
        ],
        JAMMED: { target: 'held', actions: ['keepForReplay', 'emitHeld'] },
        // no locked report in time: counts as a failed attempt
        DEADLINE_CHECK: [
          { guard: 'waivedAtDeadline', target: 'clearing', actions: 'emitConfirmed' },
          {
            guard: 'unconfirmedWithAttemptsLeft',
            target: 'retrying',
            actions: ['armRetryEntry', { type: 'emitFailed', params: { next: 'retry' } }],
          },
          {
            guard: 'deadlineReached',
            target: 'failed',
            actions: ['keepForReplay', { type: 'emitFailed', params: { next: 'keep' } }],
          },
          { actions: 'scheduleDeadlineCheck' },
        ],
      },
    },
    // no attempt left: the entry is written again, for a replay after a restart
    failed: {
      initial: 'keeping',
      on: {
        START: { target: 'arming', actions: 'armEntry' },
        CANCEL: { target: 'clearing', actions: 'emitCancelled' },
      },
      states: {
        keeping: {
          entry: ['nextRequest', 'requestWrite'],
          on: {
            STORE_DONE: { target: 'kept', actions: 'resetStoreFailures' },
            STORE_FAILED: { target: 'backoff', actions: 'countStoreFailure' },
          },
        },
        backoff: {
          after: { storeRetry: 'keeping' },
          on: { RETIRE: { target: '#autolockTimer.retired', actions: 'writeEntryOnce' } },
        },
        kept: {},
      },
    },
    // the lock is jammed: no command until it reports locked (cycle ends) or a new cycle starts
    held: {
      initial: 'keeping',
      on: {
        START: { target: 'arming', actions: 'armEntry' },
        CANCEL: { target: 'clearing', actions: 'emitCancelled' },
      },
      states: {
        keeping: {
          entry: ['nextRequest', 'requestWrite'],
          on: {
            STORE_DONE: { target: 'kept', actions: 'resetStoreFailures' },
            STORE_FAILED: { target: 'backoff', actions: 'countStoreFailure' },
          },
        },
        backoff: {
          after: { storeRetry: 'keeping' },
          on: { RETIRE: { target: '#autolockTimer.retired', actions: 'writeEntryOnce' } },
        },
        kept: {},
      },
    },
    clearing: {
      initial: 'removing',
      states: {
        removing: {
          entry: ['nextRequest', 'requestRemove'],
          on: {
            STORE_DONE: [
              { guard: 'startHeld', target: '#autolockTimer.arming', actions: ['resetStoreFailures', 'armEntry'] },
              { target: '#autolockTimer.done', actions: ['resetStoreFailures', 'forgetEntry', 'dropHeldRequests'] },
            ],
            STORE_FAILED: [
              // a new start's write supersedes the removal (the store applies them in order)
              { guard: 'startHeld', target: '#autolockTimer.arming', actions: ['countStoreFailure', 'armEntry'] },
              { target: 'backoff', actions: ['countStoreFailure', 'dropHeldRequests'] },
            ],
            CANCEL: { actions: 'holdCancel' },
            START: { actions: 'holdStart' },
          },
        },
        // the entry is still on disk: removed again until durable
        backoff: {
          after: { storeRetry: 'removing' },
          on: {
            START: { target: '#autolockTimer.arming', actions: 'armEntry' },
            RETIRE: { target: '#autolockTimer.retired', actions: 'removeEntryOnce' },
          },
        },
      },
    },
    retired: { type: 'final' },
  },
});

export type AutolockTimerMachine = typeof autolockTimerMachine;
