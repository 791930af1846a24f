/**
 * The autolock timer statechart: one per lock, outliving every reload of that lock.
 *
 *   fresh ──RECOVER──▶ recovering ──no entry──▶ done       (RECOVERED: the same, entry read by the caller)
 *                          │ entry due later ─▶ active ──deadline──▶ firing ──ok──▶ clearing ─▶ done
 *                          │ entry overdue ───────────────────────▶ firing ──error/timeout──▶ failed
 *   done/failed ──START──▶ arming ──durable──▶ active ──START──▶ arming (re-arm)
 *   active/arming/failed ──CANCEL──▶ clearing ──removed──▶ done   (removal failed: backoff, removed again)
 *   any ──RETIRE──▶ retired (final; an in-flight fire is abandoned and its entry kept for replay)
 *
 * Invariants:
 * - the machine reads no clock and does no I/O: the deadline delay, the deadline check, the
 *   overdue check and the arming of an entry are supplied with `.provide()` (see
 *   `src/actors/autolock-timer.actor.ts`), so the same picture runs on a real or a simulated clock;
 * - the deadline is an instant on the wall clock, not a delay computed once: one DEADLINE_CHECK
 *   is scheduled per start (at most `deadlineCheck` ahead), and a check that finds the deadline
 *   not yet reached schedules the next; a wall-clock step either way moves the fire with it,
 *   late by at most one check period;
 * - the public state is ACTIVE exactly while an entry is on disk (`active`, `firing`, `failed`,
 *   `clearing`); before that it is ARMING, and the deadline already runs, so a slow or failing
 *   store never delays a lock;
 * - a start before recovery is not accepted (FRESH has no START);
 * - a fire is one invoked actor bounded by `actionTimeout`; a CANCEL or START that arrives
 *   while it is in flight is held and honoured when it ends, so a cancel never races a fire; a
 *   fire that succeeds under a held cancel ends the cycle (the `fired` event says `cancelled`);
 * - a failed fire keeps the entry (written again until durable, and replayed after a restart)
 *   and leaves the timer ACTIVE but not running; any later START re-arms it;
 * - a removal (after a fire, or a cancel) is retried until durable, like a write: status never
 *   says DONE while the entry is still on disk; a timer retired while retrying tries once more;
 * - per cycle, the emitted events follow one grammar: `started` (also for an entry recovered
 *   from the store) opens it, `fired` or `cancelled` closes it, `failed` leaves it open;
 *   nothing is emitted for a cycle that was never opened;
 * - a fire that finds its lock gone is terminal: the entry is removed and the timer is DONE.
 */
import { assign, cancel, emit, fromPromise, raise, setup } from 'xstate';
import { notProvided as missing } from '../errors.js';
import type { FireOutcome } from '../events.js';
import type { TimerEntry } from '../persistence/timer-entry.js';

export interface AutolockTimerContext {
  readonly lockId: string;
  readonly entry: TimerEntry | null;
  /** A CANCEL received while a fire, a recovery or a removal was in flight. */
  readonly cancelRequested: boolean;
  /** The duration of a START received while a fire or a removal was in flight. */
  readonly pendingStart: number | null;
  /** Consecutive store failures, which set the retry backoff. */
  readonly storeFailures: number;
  readonly lastError: string | null;
}

export type AutolockTimerEvent =
  | { readonly type: 'RECOVER' }
  /** Recovery with the stored entry already read by the caller (a bulk add reads it alongside the lock). */
  | { readonly type: 'RECOVERED'; readonly entry: TimerEntry | null }
  | { readonly type: 'START'; readonly durationSeconds: number }
  | { readonly type: 'CANCEL' }
  /** Stops the timer for good (lock removed or system shut down); a stored entry stays. */
  | { readonly type: 'RETIRE' }
  /** Scheduled by the timer itself: is the deadline reached on the wall clock? */
  | { readonly type: 'DEADLINE_CHECK' };

export type AutolockTimerEmitted =
  | {
      readonly type: 'started';
      readonly lockId: string;
      readonly endsAt: number;
      readonly durationSeconds: number;
      /** The entry was found in the store at start-up (a replay), not armed by this process. */
      readonly recovered: boolean;
    }
  | { readonly type: 'cancelled'; readonly lockId: string }
  | {
      readonly type: 'fired';
      readonly lockId: string;
      readonly outcome: FireOutcome;
      /** A cancel was asked for while the fire was in flight: the cycle ends here, nothing re-arms. */
      readonly cancelled: boolean;
    }
  | { readonly type: 'failed'; readonly lockId: string; readonly reason: string };

export interface AutolockTimerInput {
  readonly lockId: string;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The entry a recovery found: from a RECOVERED event or from the readEntry actor's output. */
export function recoveredEntry(event: { type: string }): TimerEntry | null {
  const found = event as { type: string; entry?: TimerEntry | null; output?: TimerEntry | null };
  return (event.type === 'RECOVERED' ? found.entry : found.output) ?? null;
}

function failureReason(event: { type: string; error?: unknown }): string {
  return event.type.startsWith('xstate.error.actor') ? errorMessage(event.error) : 'the lock action timed out';
}

export const autolockTimerMachine = setup({
  types: {
    context: {} as AutolockTimerContext,
    events: {} as AutolockTimerEvent,
    input: {} as AutolockTimerInput,
    emitted: {} as AutolockTimerEmitted,
  },
  actors: {
    readEntry: fromPromise<TimerEntry | null, { lockId: string }>(async () => missing('actor', 'readEntry')()),
    writeEntry: fromPromise<void, { lockId: string; entry: TimerEntry }>(async () => missing('actor', 'writeEntry')()),
    removeEntry: fromPromise<void, { lockId: string }>(async () => missing('actor', 'removeEntry')()),
    fireAction: fromPromise<FireOutcome, { lockId: string; entry: TimerEntry }>(async () =>
      missing('actor', 'fireAction')(),
    ),
  },
  actions: {
    /** Sets a new entry from START's duration (or a held start) and the clock. */
    armEntry: missing('action', 'armEntry'),
    adoptRecoveredEntry: assign({ entry: ({ event }) => recoveredEntry(event) }),
    forgetEntry: assign({ entry: null }),
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
    emitStarted: emit(({ context }) => ({
      type: 'started' as const,
      lockId: context.lockId,
      endsAt: context.entry?.endsAt ?? 0,
      durationSeconds: context.entry?.durationSeconds ?? 0,
      recovered: false,
    })),
    emitRecovered: emit(({ context, event }) => {
      const entry = recoveredEntry(event);
      return {
        type: 'started' as const,
        lockId: context.lockId,
        endsAt: entry?.endsAt ?? 0,
        durationSeconds: entry?.durationSeconds ?? 0,
        recovered: true,
      };
    }),
    emitCancelled: emit(({ context }) => ({ type: 'cancelled' as const, lockId: context.lockId })),
    emitFired: emit(({ context, event }) => ({
      type: 'fired' as const,
      lockId: context.lockId,
      outcome: (event as unknown as { output: FireOutcome }).output,
      cancelled: context.cancelRequested,
    })),
    /** Schedules the one pending deadline check of this cycle (replacing any earlier one). */
    scheduleDeadlineCheck: raise({ type: 'DEADLINE_CHECK' }, { id: 'deadline', delay: 'untilDeadline' }),
    cancelDeadlineCheck: cancel('deadline'),
    /** A timer retired while its removal was failing asks for the removal once more. */
    removeEntryOnce: missing('action', 'removeEntryOnce'),
    emitFailed: emit(({ context, event }) => ({
      type: 'failed' as const,
      lockId: context.lockId,
      reason: failureReason(event as { type: string; error?: unknown }),
    })),
  },
  guards: {
    foundNoEntry: ({ event }) => recoveredEntry(event) === null,
    /** Whether the recovered entry's deadline has passed (needs the clock). */
    foundOverdueEntry: missing('guard', 'foundOverdueEntry'),
    /** Whether the entry's deadline has passed on the wall clock (needs the clock). */
    deadlineReached: missing('guard', 'deadlineReached'),
    cancelHeld: ({ context }) => context.cancelRequested,
    startHeld: ({ context }) => context.pendingStart !== null,
  },
  delays: {
    /** Milliseconds until the next deadline check: the time left, at most one check period (needs the clock). */
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
    cancelRequested: false,
    pendingStart: null,
    storeFailures: 0,
    lastError: null,
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
            target: 'active',
            actions: ['adoptRecoveredEntry', 'emitRecovered', 'cancelDeadlineCheck', 'scheduleDeadlineCheck'],
          },
        ],
      },
    },
    recovering: {
      initial: 'reading',
      on: { CANCEL: { actions: 'holdCancel' } },
      states: {
        reading: {
          invoke: {
            id: 'readEntry',
            src: 'readEntry',
            input: ({ context }) => ({ lockId: context.lockId }),
            onDone: [
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
                target: '#autolockTimer.active',
                actions: [
                  'adoptRecoveredEntry',
                  'resetStoreFailures',
                  'emitRecovered',
                  'cancelDeadlineCheck',
                  'scheduleDeadlineCheck',
                ],
              },
            ],
            onError: { target: 'backoff', actions: 'countStoreFailure' },
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
      // the countdown runs from here: the cycle is announced before the entry is durable
      entry: ['emitStarted', 'cancelDeadlineCheck', 'scheduleDeadlineCheck'],
      on: {
        START: { target: 'arming', reenter: true, actions: 'armEntry' },
        CANCEL: { target: 'clearing', actions: 'emitCancelled' },
        DEADLINE_CHECK: [{ guard: 'deadlineReached', target: 'firing' }, { actions: 'scheduleDeadlineCheck' }],
      },
      states: {
        writing: {
          invoke: {
            id: 'writeEntry',
            src: 'writeEntry',
            input: ({ context }) => ({ lockId: context.lockId, entry: context.entry as TimerEntry }),
            onDone: { target: '#autolockTimer.active', actions: 'resetStoreFailures' },
            onError: { target: 'backoff', actions: 'countStoreFailure' },
          },
        },
        backoff: {
          after: { storeRetry: 'writing' },
        },
      },
    },
    active: {
      on: {
        START: { target: 'arming', actions: 'armEntry' },
        CANCEL: { target: 'clearing', actions: 'emitCancelled' },
        DEADLINE_CHECK: [{ guard: 'deadlineReached', target: 'firing' }, { actions: 'scheduleDeadlineCheck' }],
      },
    },
    firing: {
      invoke: {
        id: 'fireAction',
        src: 'fireAction',
        input: ({ context }) => ({ lockId: context.lockId, entry: context.entry as TimerEntry }),
        onDone: { target: 'clearing', actions: ['emitFired', 'dropHeldCancel'] },
        onError: [
          { guard: 'cancelHeld', target: 'clearing', actions: ['emitFailed', 'emitCancelled'] },
          { guard: 'startHeld', target: 'arming', actions: ['emitFailed', 'armEntry'] },
          { target: 'failed', actions: 'emitFailed' },
        ],
      },
      after: {
        actionTimeout: [
          { guard: 'cancelHeld', target: 'clearing', actions: ['emitFailed', 'emitCancelled'] },
          { guard: 'startHeld', target: 'arming', actions: ['emitFailed', 'armEntry'] },
          { target: 'failed', actions: 'emitFailed' },
        ],
      },
      on: {
        CANCEL: { actions: 'holdCancel' },
        START: { actions: 'holdStart' },
      },
    },
    failed: {
      initial: 'keeping',
      on: {
        START: { target: 'arming', actions: 'armEntry' },
        CANCEL: { target: 'clearing', actions: 'emitCancelled' },
      },
      states: {
        // the entry is written again: a fire that failed before its entry was durable is still replayed
        keeping: {
          invoke: {
            id: 'keepEntry',
            src: 'writeEntry',
            input: ({ context }) => ({ lockId: context.lockId, entry: context.entry as TimerEntry }),
            onDone: { target: 'kept', actions: 'resetStoreFailures' },
            onError: { target: 'backoff', actions: 'countStoreFailure' },
          },
        },
        backoff: {
          after: { storeRetry: 'keeping' },
        },
        kept: {},
      },
    },
    clearing: {
      initial: 'removing',
      states: {
        removing: {
          invoke: {
            id: 'removeEntry',
            src: 'removeEntry',
            input: ({ context }) => ({ lockId: context.lockId }),
            onDone: [
              { guard: 'startHeld', target: '#autolockTimer.arming', actions: ['resetStoreFailures', 'armEntry'] },
              { target: '#autolockTimer.done', actions: ['resetStoreFailures', 'forgetEntry', 'dropHeldRequests'] },
            ],
            onError: [
              // a new start's write supersedes the removal (the store applies them in order)
              { guard: 'startHeld', target: '#autolockTimer.arming', actions: ['countStoreFailure', 'armEntry'] },
              { target: 'backoff', actions: ['countStoreFailure', 'dropHeldRequests'] },
            ],
          },
          on: {
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
