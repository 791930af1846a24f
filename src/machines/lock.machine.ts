/**
 * The lock statechart: one lock's configuration, what the host reports of it, and the autolock
 * decisions that follow. One actor per config load; a reload replaces it (the timer stays).
 *
 *   live (parallel)
 *   ├── bolt   locked | unlocked | jammed | unknown     host's LOCK_STATE reports
 *   ├── door   open | closed | unknown                  host's DOOR_STATE reports
 *   └── retry  idle | pending | relocking               door open at fire time → lock when it closes
 *   retired (final)                                      replaced by a reload, removed, or shut down
 *
 * Invariants:
 * - only a change of reported state transitions: a repeated identical report does nothing
 *   (it never restarts a running timer);
 * - becoming unlocked with autolock enabled ensures the autolock is running (it never extends
 *   one that is already counting down); becoming locked cancels it, clears a pending retry and
 *   dismisses the three autolock notifications;
 * - a lock command that was accepted but not yet confirmed by a `locked` report leaves the
 *   autolock armed for another cycle: an unlocked lock with autolock enabled always has one
 *   coming (no autolock is lost to a lock that never actually locked);
 * - the machine does no I/O itself: the timer, the notifier and the driver are reached through
 *   named actions and actors supplied with `.provide()` (`src/actors/lock.actor.ts`);
 * - a restored or inherited runtime state is entered through RESTORE transitions that run no
 *   actions: a reload or a restart sends no command and no notification by itself (a reload
 *   during a retry's command waits for that same command: `relockCommand` joins it);
 * - the context holds PINs only as `Pin` objects, which an inspector sees as `[PIN]`.
 */
import { and, assign, emit, fromPromise, raise, setup, stateIn } from 'xstate';
import { notProvided as missing } from '../errors.js';
import type { AutolockSettings, LockConfig } from '../model/lock-config.js';
import type { DoorState, LockRuntime, LockState } from '../model/lock-runtime.js';

export interface LockContext {
  readonly config: LockConfig;
  readonly lastFailure: string | null;
}

export interface LockInput {
  readonly config: LockConfig;
}

export type LockEvent =
  /**
   * Sent once, right after start, when the lock resumes a stored or inherited runtime state;
   * `retryInFlight`: a reload while the old lock's retry command was in flight (it is joined).
   */
  | { readonly type: 'RESTORE'; readonly runtime: LockRuntime; readonly retryInFlight?: boolean }
  | { readonly type: 'LOCK_STATE'; readonly state: LockState }
  | { readonly type: 'DOOR_STATE'; readonly state: DoorState }
  | { readonly type: 'SET_AUTOLOCK'; readonly settings: AutolockSettings }
  /** The timer has recovered: an unlocked lock makes sure its autolock runs. */
  | { readonly type: 'TIMER_READY' }
  /** A fire found the door open with retry enabled. */
  | { readonly type: 'AUTOLOCK_DEFERRED' }
  /** A fire's lock command was accepted; until the host reports `locked`, the autolock re-arms. */
  | { readonly type: 'AUTOLOCK_LOCKED' }
  /** A fire failed (driver error, timeout, lock gone from the host). */
  | { readonly type: 'AUTOLOCK_FAILED'; readonly reason: string }
  /** Drop a pending retry: autolock disabled, or cancelled by hand. */
  | { readonly type: 'CLEAR_RETRY' }
  | { readonly type: 'RETIRE' };

export type LockEmitted =
  | { readonly type: 'retry-pending'; readonly lockId: string }
  | { readonly type: 'retry-failed'; readonly lockId: string; readonly reason: string };

const reports =
  (state: LockState) =>
  ({ event }: { event: LockEvent }) =>
    event.type === 'LOCK_STATE' && event.state === state;
const doorReports =
  (state: DoorState) =>
  ({ event }: { event: LockEvent }) =>
    event.type === 'DOOR_STATE' && event.state === state;

const restores =
  (test: (runtime: LockRuntime) => boolean) =>
  ({ event }: { event: LockEvent }) =>
    event.type === 'RESTORE' && test(event.runtime);

function failureReason(event: { type: string; error?: unknown }): string {
  if (!event.type.startsWith('xstate.error.actor')) return 'the lock command timed out';
  return event.error instanceof Error ? event.error.message : String(event.error);
}

export const lockMachine = setup({
  types: {
    context: {} as LockContext,
    events: {} as LockEvent,
    input: {} as LockInput,
    emitted: {} as LockEmitted,
  },
  actors: {
    /** The lock command sent when the door closes on a pending retry. */
    relockCommand: fromPromise<void, { lockId: string; name: string }>(async () => missing('actor', 'relockCommand')()),
  },
  actions: {
    /**
     * Starts the autolock timer if autolock is enabled, the timer is not already running, and no
     * door-close retry is pending (the retry is this cycle's autolock).
     */
    ensureAutolock: missing('action', 'ensureAutolock'),
    /** Starts the autolock after a retry's lock command, whatever the retry region was in. */
    rearmAutolock: missing('action', 'rearmAutolock'),
    cancelAutolock: missing('action', 'cancelAutolock'),
    dismissAutolockNotifications: missing('action', 'dismissAutolockNotifications'),
    dismissDoorOpen: missing('action', 'dismissDoorOpen'),
    notifyDoorOpen: missing('action', 'notifyDoorOpen'),
    notifyDoorClosed: missing('action', 'notifyDoorClosed'),
    notifyFailed: missing('action', 'notifyFailed'),
    adoptAutolockSettings: assign({
      config: ({ context, event }) =>
        event.type === 'SET_AUTOLOCK' ? { ...context.config, autolock: event.settings } : context.config,
    }),
    rememberFailure: assign({
      lastFailure: ({ event }) =>
        event.type === 'AUTOLOCK_FAILED' ? event.reason : failureReason(event as { type: string; error?: unknown }),
    }),
    forgetFailure: assign({ lastFailure: null }),
    clearRetry: raise({ type: 'CLEAR_RETRY' }),
    emitRetryPending: emit(({ context }) => ({ type: 'retry-pending' as const, lockId: context.config.id })),
    emitRetryFailed: emit(({ context, event }) => ({
      type: 'retry-failed' as const,
      lockId: context.config.id,
      reason: failureReason(event as { type: string; error?: unknown }),
    })),
  },
  guards: {
    reportsLocked: reports('locked'),
    reportsUnlocked: reports('unlocked'),
    reportsJammed: reports('jammed'),
    reportsUnknown: reports('unknown'),
    doorReportsOpen: doorReports('open'),
    doorReportsClosed: doorReports('closed'),
    doorReportsUnknown: doorReports('unknown'),
    restoresLocked: restores(({ lockState }) => lockState === 'locked'),
    restoresUnlocked: restores(({ lockState }) => lockState === 'unlocked'),
    restoresJammed: restores(({ lockState }) => lockState === 'jammed'),
    restoresDoorOpen: restores(({ doorState }) => doorState === 'open'),
    restoresDoorClosed: restores(({ doorState }) => doorState === 'closed'),
    restoresPendingRetry: restores(({ pendingRetry }) => pendingRetry),
    restoresRetryInFlight: ({ event }) =>
      event.type === 'RESTORE' && event.runtime.pendingRetry && event.retryInFlight === true,
    /** Turns autolock off (it was on): a setting repeated as it is changes nothing. */
    disablesAutolock: ({ context, event }) =>
      event.type === 'SET_AUTOLOCK' && !event.settings.enabled && context.config.autolock.enabled,
    /** Turns autolock on (it was off). */
    enablesAutolock: ({ context, event }) =>
      event.type === 'SET_AUTOLOCK' && event.settings.enabled && !context.config.autolock.enabled,
  },
  delays: {
    /** How long the retry's lock command may take before it counts as failed. */
    commandTimeout: 30_000,
  },
}).createMachine({
  id: 'lock',
  context: ({ input }) => ({ config: input.config, lastFailure: null }),
  initial: 'live',
  states: {
    live: {
      type: 'parallel',
      on: {
        RETIRE: 'retired',
        SET_AUTOLOCK: [
          { guard: 'disablesAutolock', actions: ['adoptAutolockSettings', 'cancelAutolock', 'clearRetry'] },
          {
            guard: and(['enablesAutolock', stateIn({ live: { bolt: 'unlocked' } })]),
            actions: ['adoptAutolockSettings', 'ensureAutolock'],
          },
          { actions: 'adoptAutolockSettings' },
        ],
        TIMER_READY: { guard: stateIn({ live: { bolt: 'unlocked' } }), actions: 'ensureAutolock' },
        AUTOLOCK_LOCKED: { guard: stateIn({ live: { bolt: 'unlocked' } }), actions: 'ensureAutolock' },
        AUTOLOCK_FAILED: { actions: ['rememberFailure', 'notifyFailed'] },
      },
      states: {
        bolt: {
          initial: 'unknown',
          states: {
            locked: {
              on: {
                LOCK_STATE: [
                  { guard: 'reportsUnlocked', target: 'unlocked', actions: 'ensureAutolock' },
                  { guard: 'reportsJammed', target: 'jammed' },
                  { guard: 'reportsUnknown', target: 'unknown' },
                ],
              },
            },
            unlocked: {
              on: {
                LOCK_STATE: [
                  {
                    guard: 'reportsLocked',
                    target: 'locked',
                    actions: ['cancelAutolock', 'dismissAutolockNotifications', 'forgetFailure'],
                  },
                  { guard: 'reportsJammed', target: 'jammed' },
                  { guard: 'reportsUnknown', target: 'unknown' },
                ],
              },
            },
            jammed: {
              on: {
                LOCK_STATE: [
                  {
                    guard: 'reportsLocked',
                    target: 'locked',
                    actions: ['cancelAutolock', 'dismissAutolockNotifications', 'forgetFailure'],
                  },
                  { guard: 'reportsUnlocked', target: 'unlocked', actions: 'ensureAutolock' },
                  { guard: 'reportsUnknown', target: 'unknown' },
                ],
              },
            },
            unknown: {
              on: {
                RESTORE: [
                  { guard: 'restoresLocked', target: 'locked' },
                  { guard: 'restoresUnlocked', target: 'unlocked' },
                  { guard: 'restoresJammed', target: 'jammed' },
                ],
                LOCK_STATE: [
                  {
                    guard: 'reportsLocked',
                    target: 'locked',
                    actions: ['cancelAutolock', 'dismissAutolockNotifications', 'forgetFailure'],
                  },
                  { guard: 'reportsUnlocked', target: 'unlocked', actions: 'ensureAutolock' },
                  { guard: 'reportsJammed', target: 'jammed' },
                ],
              },
            },
          },
        },
        door: {
          initial: 'unknown',
          states: {
            open: {
              on: {
                DOOR_STATE: [
                  { guard: 'doorReportsClosed', target: 'closed' },
                  { guard: 'doorReportsUnknown', target: 'unknown' },
                ],
              },
            },
            closed: {
              on: {
                DOOR_STATE: [
                  { guard: 'doorReportsOpen', target: 'open' },
                  { guard: 'doorReportsUnknown', target: 'unknown' },
                ],
              },
            },
            unknown: {
              on: {
                RESTORE: [
                  { guard: 'restoresDoorOpen', target: 'open' },
                  { guard: 'restoresDoorClosed', target: 'closed' },
                ],
                DOOR_STATE: [
                  { guard: 'doorReportsOpen', target: 'open' },
                  { guard: 'doorReportsClosed', target: 'closed' },
                ],
              },
            },
          },
        },
        retry: {
          initial: 'idle',
          states: {
            idle: {
              on: {
                RESTORE: [
                  // the old actor's command is joined, not sent again
                  { guard: 'restoresRetryInFlight', target: 'relocking' },
                  { guard: 'restoresPendingRetry', target: 'pending' },
                ],
                AUTOLOCK_DEFERRED: { target: 'pending', actions: ['notifyDoorOpen', 'emitRetryPending'] },
              },
            },
            pending: {
              on: {
                // a fire while the retry waits (a start by hand) defers again: said again, not notified again
                AUTOLOCK_DEFERRED: { actions: 'emitRetryPending' },
                DOOR_STATE: {
                  guard: 'doorReportsClosed',
                  target: 'relocking',
                  actions: ['dismissDoorOpen', 'notifyDoorClosed'],
                },
                LOCK_STATE: { guard: 'reportsLocked', target: 'idle' },
                CLEAR_RETRY: { target: 'idle', actions: 'dismissDoorOpen' },
              },
            },
            relocking: {
              invoke: {
                id: 'relockCommand',
                src: 'relockCommand',
                input: ({ context }) => ({ lockId: context.config.id, name: context.config.name }),
                onDone: [
                  { guard: stateIn({ live: { bolt: 'unlocked' } }), target: 'idle', actions: 'rearmAutolock' },
                  { target: 'idle' },
                ],
                onError: {
                  target: 'idle',
                  actions: ['rememberFailure', 'notifyFailed', 'emitRetryFailed', 'rearmAutolock'],
                },
              },
              after: {
                commandTimeout: {
                  target: 'idle',
                  actions: ['rememberFailure', 'notifyFailed', 'emitRetryFailed', 'rearmAutolock'],
                },
              },
              on: {
                LOCK_STATE: { guard: 'reportsLocked', target: 'idle' },
                CLEAR_RETRY: 'idle',
                AUTOLOCK_DEFERRED: { actions: 'emitRetryPending' },
              },
            },
          },
        },
      },
    },
    retired: { type: 'final' },
  },
});

export type LockMachine = typeof lockMachine;
