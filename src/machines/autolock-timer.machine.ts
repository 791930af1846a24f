/**
 * The autolock timer statechart: one per lock, outliving every reload of that lock.
 *
 *   fresh ──RECOVER──▶ recovering ──no entry──▶ done       (RECOVERED: the same, entry read by the caller)
 *                          │ entry due later ─▶ active ──deadline──▶ firing ──ok──▶ clearing ─▶ done
 *                          │ entry overdue ───────────────────────▶ firing ──error/timeout──▶ failed
 *   done/failed ──START──▶ arming ──durable──▶ active ──START──▶ arming (re-arm)
 *   active/arming/failed ──CANCEL──▶ clearing ──removed──▶ done
 *   any ──RETIRE──▶ retired (final; an in-flight fire is abandoned and its entry kept for replay)
 *
 * Invariants:
 * - the machine reads no clock and does no I/O: the deadline delay, the overdue check and the
 *   arming of an entry are supplied with `.provide()` (see `src/actors/autolock-timer.actor.ts`),
 *   so the same picture runs on a real or a simulated clock;
 * - the public state is ACTIVE only once the entry is durable (`active`, `firing`, `failed`,
 *   `clearing`); before that it is ARMING, and the deadline already runs, so a slow or failing
 *   store never delays a lock;
 * - a start before recovery is not accepted (FRESH has no START);
 * - a fire is one invoked actor bounded by `actionTimeout`; a CANCEL or START that arrives
 *   while it is in flight is held and honoured when it ends, so a cancel never races a fire;
 * - a failed fire keeps the entry (written again until durable, and replayed after a restart)
 *   and leaves the timer ACTIVE but not running; any later START re-arms it;
 * - a fire that finds its lock gone is terminal: the entry is removed and the timer is DONE.
 */
import { assign, emit, fromPromise, setup } from 'xstate';
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
  | { readonly type: 'RETIRE' };

export type AutolockTimerEmitted =
  | { readonly type: 'started'; readonly lockId: string; readonly endsAt: number; readonly durationSeconds: number }
  | { readonly type: 'cancelled'; readonly lockId: string }
  | { readonly type: 'fired'; readonly lockId: string; readonly outcome: FireOutcome }
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
    })),
    emitCancelled: emit(({ context }) => ({ type: 'cancelled' as const, lockId: context.lockId })),
    emitFired: emit(({ context, event }) => ({
      type: 'fired' as const,
      lockId: context.lockId,
      outcome: (event as unknown as { output: FireOutcome }).output,
    })),
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
    cancelHeld: ({ context }) => context.cancelRequested,
    startHeld: ({ context }) => context.pendingStart !== null,
  },
  delays: {
    /** Milliseconds from now until the entry's deadline (needs the clock). */
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
        RECOVER: 'recovering',
        RECOVERED: [
          { guard: 'foundNoEntry', target: 'done' },
          { guard: 'foundOverdueEntry', target: 'firing', actions: 'adoptRecoveredEntry' },
          { target: 'active', actions: 'adoptRecoveredEntry' },
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
                guard: 'cancelHeld',
                target: '#autolockTimer.clearing',
                actions: ['adoptRecoveredEntry', 'resetStoreFailures', 'dropHeldRequests', 'emitCancelled'],
              },
              {
                guard: 'foundOverdueEntry',
                target: '#autolockTimer.firing',
                actions: ['adoptRecoveredEntry', 'resetStoreFailures'],
              },
              { target: '#autolockTimer.active', actions: ['adoptRecoveredEntry', 'resetStoreFailures'] },
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
      after: { untilDeadline: 'firing' },
      on: {
        START: { target: 'arming', reenter: true, actions: 'armEntry' },
        CANCEL: { target: 'clearing', actions: 'emitCancelled' },
      },
      states: {
        writing: {
          invoke: {
            id: 'writeEntry',
            src: 'writeEntry',
            input: ({ context }) => ({ lockId: context.lockId, entry: context.entry as TimerEntry }),
            onDone: { target: '#autolockTimer.active', actions: ['resetStoreFailures', 'emitStarted'] },
            onError: { target: 'backoff', actions: 'countStoreFailure' },
          },
        },
        backoff: {
          after: { storeRetry: 'writing' },
        },
      },
    },
    active: {
      after: { untilDeadline: 'firing' },
      on: {
        START: { target: 'arming', actions: 'armEntry' },
        CANCEL: { target: 'clearing', actions: 'emitCancelled' },
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
      invoke: {
        id: 'removeEntry',
        src: 'removeEntry',
        input: ({ context }) => ({ lockId: context.lockId }),
        onDone: [
          { guard: 'startHeld', target: 'arming', actions: 'armEntry' },
          { target: 'done', actions: ['forgetEntry', 'dropHeldRequests'] },
        ],
        onError: [
          { guard: 'startHeld', target: 'arming', actions: ['countStoreFailure', 'armEntry'] },
          { target: 'done', actions: ['countStoreFailure', 'forgetEntry', 'dropHeldRequests'] },
        ],
      },
      on: {
        CANCEL: { actions: 'holdCancel' },
        START: { actions: 'holdStart' },
      },
    },
    retired: { type: 'final' },
  },
});

export type AutolockTimerMachine = typeof autolockTimerMachine;
