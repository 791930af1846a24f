/**
 * The lock statechart: one lock's configuration, what the host reports of it, and the autolock
 * decisions that follow. One actor per config load; a reload replaces it (the timer stays).
 *
 *   live (parallel)
 *   ├── bolt   locked | unlocked | jammed | unknown     host's LOCK_STATE reports
 *   ├── door   open | closed | unknown                  host's DOOR_STATE reports
 *   └── retry  idle | pending                           door open at fire time → lock when it closes
 *   retired (final)                                      replaced by a reload, removed, or shut down
 *
 * Invariants:
 * - only a change of reported state transitions: a repeated identical report does nothing
 *   (it never restarts a running timer);
 * - becoming unlocked with autolock enabled ensures the autolock is running (it never extends
 *   one that is already counting down); becoming locked ends the autolock cycle (a command
 *   awaiting confirmation is confirmed by it), clears a pending retry and dismisses the autolock
 *   notifications that show;
 * - every notice posted is marked showing in the context (and so in the runtime a reload inherits
 *   and a restart restores) until it is dismissed, and a dismiss is sent only for a notice that
 *   shows (`door_open` is shared by the door-left-open notice and a pending retry's: one dismiss
 *   ends both);
 * - every lock command goes through the timer (its retries and its confirmation): this machine
 *   sends none; when the door closes on a pending retry it starts the timer with the delay its
 *   door mode gives (at once, the full countdown, or the after-close delay);
 * - a jammed report notifies once and holds the autolock (the timer sends nothing to a jammed
 *   lock); a `locked` or `unlocked` report clears the jam and its notice;
 * - the door-aware modes act only on a door that closes (`open` → `closed`), never on a first
 *   report or a restore; `restart-on-close` and `after-close` move a countdown that is running,
 *   and never start one that was cancelled;
 * - the machine does no I/O itself: the timer, the notifier and the clock-based choices are reached
 *   through named actions supplied with `.provide()` (`src/actors/lock.actor.ts`);
 * - a restored or inherited runtime state is entered through RESTORE transitions that run no
 *   actions, or the actor is created in it (`restoredLockSnapshot`): a reload or a restart sends
 *   no command and no notification by itself;
 * - the context holds PINs only as `Pin` objects, which an inspector sees as `[PIN]`.
 */
import { and, assign, emit, not, raise, setup, stateIn } from 'xstate';
import { notProvided as missing } from '../errors.js';
import type { RelockEventData } from '../events.js';
import type { AutolockSettings, DoorMode, LockConfig } from '../model/lock-config.js';
import {
  type DoorState,
  type LockNotices,
  type LockRuntime,
  type LockState,
  NO_NOTICES,
  noticesOf,
} from '../model/lock-runtime.js';

/** The lock's config, its last failure, and which of its notices show (`LockNotices`). */
export interface LockContext extends LockNotices {
  readonly config: LockConfig;
  readonly lastFailure: string | null;
  /** This unlocked spell's autolock cycle has ended without a locked report (`LockRuntime.cycleEnded`). */
  readonly cycleEnded: boolean;
}

export interface LockInput {
  readonly config: LockConfig;
  /** Notices a previous actor of this lock left showing (a reload, or the stored record at a restart). */
  readonly notices?: LockNotices;
  /** A previous actor's (or the stored record's) `cycleEnded`. */
  readonly cycleEnded?: boolean;
}

/** A failed attempt of the timer, as the lock notifies it: the public event's fields. */
export type AttemptFailure = Omit<Extract<RelockEventData, { type: 'autolock.failed' }>, 'type' | 'lockId'>;

export type LockEvent =
  /** Sent once, right after start, when the lock resumes a stored or inherited runtime state. */
  | { readonly type: 'RESTORE'; readonly runtime: LockRuntime }
  | { readonly type: 'LOCK_STATE'; readonly state: LockState }
  | { readonly type: 'DOOR_STATE'; readonly state: DoorState }
  | { readonly type: 'SET_AUTOLOCK'; readonly settings: AutolockSettings }
  /** The timer has recovered: an unlocked lock makes sure its autolock runs. */
  | { readonly type: 'TIMER_READY' }
  /** A fire found the door open in a door-aware mode. */
  | { readonly type: 'AUTOLOCK_DEFERRED' }
  /** An attempt failed (driver error, timeout, no confirmation). */
  | ({ readonly type: 'AUTOLOCK_FAILED' } & AttemptFailure)
  /** The countdown's warning time has come. */
  | { readonly type: 'AUTOLOCK_WARNING'; readonly endsAt: number }
  /** The countdown a warning announced has ended, moved or been cancelled. */
  | { readonly type: 'WARNING_OVER' }
  /** The lock is being removed: the notices it left showing are dismissed. */
  | { readonly type: 'DISMISS_NOTICES' }
  /** Drop a pending retry: autolock disabled, or cancelled by hand. */
  | { readonly type: 'CLEAR_RETRY' }
  /** The cycle ended without a locked report (cancelled, or accepted by a lock that reports no state). */
  | { readonly type: 'AUTOLOCK_CYCLE_ENDED' }
  /** A new autolock cycle started (a countdown armed). */
  | { readonly type: 'AUTOLOCK_CYCLE_STARTED' }
  | { readonly type: 'RETIRE' };

export type LockEmitted =
  | { readonly type: 'retry-pending'; readonly lockId: string }
  | { readonly type: 'jammed'; readonly lockId: string; readonly cleared: boolean }
  | { readonly type: 'door-left-open'; readonly lockId: string; readonly minutes: number };

/** A new lock actor's context: its config and the notices a previous actor of it left showing. */
export function lockContextOf(input: LockInput): LockContext {
  return {
    config: input.config,
    lastFailure: null,
    cycleEnded: input.cycleEnded ?? false,
    ...noticesOf(input.notices ?? NO_NOTICES),
  };
}

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

/** The door mode a lock acts on: a lock without a door sensor counts down (its door reports are not trusted). */
export function effectiveDoorMode(config: LockConfig): DoorMode {
  return config.hasDoorSensor ? config.autolock.doorMode : 'countdown';
}

const inDoorMode =
  (mode: DoorMode) =>
  ({ context }: { context: LockContext }) =>
    context.config.autolock.enabled && effectiveDoorMode(context.config) === mode;

/** The bolt's transitions into `jammed`: notified and held. */
const JAM = {
  target: 'jammed',
  actions: ['notifyJammed', 'markJamNotice', 'emitJammed', 'holdAutolock', 'forgetCycleEnded'],
} as const;
/** Leaving `jammed` for `locked` or `unlocked`: the jam is over. */
const UNJAM = ['dismissJammed', 'forgetJamNotice', 'emitJamCleared', 'releaseAutolock'] as const;
/** The door is no longer open: its left-open notice goes (and with it `door_open`, whichever notice it shows). */
const DOOR_SHUT = ['dismissDoorLeftOpen', 'forgetDoorLeftOpen'] as const;
/** A `locked` report: the cycle ends (a command awaiting confirmation is confirmed). */
const LOCKED = {
  target: 'locked',
  actions: [
    'endAutolockLocked',
    'dismissAutolockNotifications',
    'forgetAutolockNotices',
    'forgetFailure',
    'forgetCycleEnded',
  ],
} as const;
/** A report that the lock is unlocked (a change): a new spell, whose autolock is made sure of. */
const UNLOCKED = ['forgetCycleEnded', 'ensureAutolock'] as const;

export const lockMachine = setup({
  types: {
    context: {} as LockContext,
    events: {} as LockEvent,
    input: {} as LockInput,
    emitted: {} as LockEmitted,
  },
  actions: {
    /**
     * Starts the autolock timer if autolock is enabled for this time of day, the timer is not
     * already running, and no door-close retry is pending (the retry is this cycle's autolock).
     */
    ensureAutolock: missing('action', 'ensureAutolock'),
    /** The door closed on a pending retry: lock now, after the full countdown, or after the after-close delay. */
    lockAfterDoorWait: missing('action', 'lockAfterDoorWait'),
    /** `restart-on-close`: a running countdown starts again from its full duration. */
    restartCountdown: missing('action', 'restartCountdown'),
    /** `after-close`: a running countdown ends `afterCloseSeconds` from now, unless it ends sooner. */
    shortenCountdown: missing('action', 'shortenCountdown'),
    cancelAutolock: missing('action', 'cancelAutolock'),
    /** The lock reported locked: the timer's cycle ends (a confirmation, if one is awaited). */
    endAutolockLocked: missing('action', 'endAutolockLocked'),
    /** The lock reported jammed: a command waiting to be confirmed or retried is held. */
    holdAutolock: missing('action', 'holdAutolock'),
    /** Dismisses those of `door_open`, `door_closed` and `failed` that show. */
    dismissAutolockNotifications: missing('action', 'dismissAutolockNotifications'),
    /** Dismisses `door_open` if it shows (a pending retry's notice or the door-left-open one). */
    dismissDoorOpen: missing('action', 'dismissDoorOpen'),
    notifyDoorOpen: missing('action', 'notifyDoorOpen'),
    notifyDoorClosed: missing('action', 'notifyDoorClosed'),
    notifyFailed: missing('action', 'notifyFailed'),
    notifyWarning: missing('action', 'notifyWarning'),
    notifyJammed: missing('action', 'notifyJammed'),
    /** Dismisses the jammed notice if it is showing. */
    dismissJammed: missing('action', 'dismissJammed'),
    notifyDoorLeftOpen: missing('action', 'notifyDoorLeftOpen'),
    /** Dismisses the door-left-open notice if it is showing. */
    dismissDoorLeftOpen: missing('action', 'dismissDoorLeftOpen'),
    markJamNotice: assign({ jamNoticeShown: true }),
    forgetJamNotice: assign({ jamNoticeShown: false }),
    markDoorNotice: assign({ doorNoticeShown: true }),
    markRetryNotice: assign({ retryNoticeShown: true }),
    markDoorClosedNotice: assign({ doorClosedNoticeShown: true }),
    markFailedNotice: assign({ failedNoticeShown: true }),
    /** `door_open` was dismissed: neither notice that uses the id shows. */
    forgetDoorOpenNotices: assign({ doorNoticeShown: false, retryNoticeShown: false }),
    /** After `dismissDoorLeftOpen`: if the left-open notice showed, `door_open` is gone (a retry's notice too). */
    forgetDoorLeftOpen: assign(({ context }) =>
      context.doorNoticeShown ? { doorNoticeShown: false, retryNoticeShown: false } : {},
    ),
    forgetAutolockNotices: assign({
      doorNoticeShown: false,
      retryNoticeShown: false,
      doorClosedNoticeShown: false,
      failedNoticeShown: false,
    }),
    dismissWarning: missing('action', 'dismissWarning'),
    markWarningNotice: assign({ warningNoticeShown: true }),
    /** Dismisses the warning notice if it is showing. */
    dismissWarningIfShown: missing('action', 'dismissWarningIfShown'),
    forgetNotices: assign({ ...NO_NOTICES }),
    /** The lock reported locked or unlocked after a jam: a fire in flight is no longer held by it. */
    releaseAutolock: missing('action', 'releaseAutolock'),
    forgetWarningNotice: assign({ warningNoticeShown: false }),
    adoptAutolockSettings: assign({
      config: ({ context, event }) =>
        event.type === 'SET_AUTOLOCK' ? { ...context.config, autolock: event.settings } : context.config,
    }),
    rememberFailure: assign({
      lastFailure: ({ event }) => (event.type === 'AUTOLOCK_FAILED' ? event.reason : null),
    }),
    forgetFailure: assign({ lastFailure: null }),
    markCycleEnded: assign({ cycleEnded: true }),
    forgetCycleEnded: assign({ cycleEnded: false }),
    clearRetry: raise({ type: 'CLEAR_RETRY' }),
    emitRetryPending: emit(({ context }) => ({ type: 'retry-pending' as const, lockId: context.config.id })),
    emitJammed: emit(({ context }) => ({ type: 'jammed' as const, lockId: context.config.id, cleared: false })),
    emitJamCleared: emit(({ context }) => ({ type: 'jammed' as const, lockId: context.config.id, cleared: true })),
    emitDoorLeftOpen: emit(({ context }) => ({
      type: 'door-left-open' as const,
      lockId: context.config.id,
      minutes: context.config.autolock.doorOpenNoticeMinutes,
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
    /** Turns autolock off (it was on): a setting repeated as it is changes nothing. */
    disablesAutolock: ({ context, event }) =>
      event.type === 'SET_AUTOLOCK' && !event.settings.enabled && context.config.autolock.enabled,
    /** Leaves a door-aware mode for `countdown`, autolock staying on. */
    dropsDoorMode: ({ context, event }) =>
      event.type === 'SET_AUTOLOCK' &&
      event.settings.enabled &&
      event.settings.doorMode === 'countdown' &&
      effectiveDoorMode(context.config) !== 'countdown',
    /** Turns autolock on (it was off). */
    enablesAutolock: ({ context, event }) =>
      event.type === 'SET_AUTOLOCK' && event.settings.enabled && !context.config.autolock.enabled,
    restartsOnClose: inDoorMode('restart-on-close'),
    locksAfterClose: inDoorMode('after-close'),
    /** `restart-on-close`: the door closes with no retry pending (a pending retry is the retry region's). */
    closesToRestart: and(['doorReportsClosed', 'restartsOnClose', not(stateIn({ live: { retry: 'pending' } }))]),
    /** `after-close`: the door closes with no retry pending. */
    closesToLockSoon: and(['doorReportsClosed', 'locksAfterClose', not(stateIn({ live: { retry: 'pending' } }))]),
    /** The door-left-open notice is asked for (a number of minutes) and not already showing. */
    watchesOpenDoor: ({ context }) => context.config.autolock.doorOpenNoticeMinutes > 0 && !context.doorNoticeShown,
    jamNoticeShown: ({ context }) => context.jamNoticeShown,
    warningNoticeShown: ({ context }) => context.warningNoticeShown,
    /** An attempt failed in a way a person should hear of: retried, or the last (a cancel or a new start ended the cycle). */
    failureNeedsPerson: ({ event }) =>
      event.type === 'AUTOLOCK_FAILED' && (event.nextAttemptAt !== null || event.keptForReplay),
    warnsByNotification: ({ context }) => context.config.autolock.warnNotification,
    cycleEnded: ({ context }) => context.cycleEnded,
    autolockOn: ({ context }) => context.config.autolock.enabled,
  },
  delays: {
    /** How long the door may stay open before the door-left-open notice (when one is asked for). */
    doorOpenNotice: ({ context }) => Math.max(1, context.config.autolock.doorOpenNoticeMinutes) * 60_000,
  },
}).createMachine({
  id: 'lock',
  context: ({ input }) => lockContextOf(input),
  initial: 'live',
  states: {
    live: {
      type: 'parallel',
      on: {
        RETIRE: 'retired',
        SET_AUTOLOCK: [
          { guard: 'disablesAutolock', actions: ['adoptAutolockSettings', 'cancelAutolock', 'clearRetry'] },
          // back to countdown while waiting for the door: the countdown mode locks now, door open or not
          {
            guard: and(['dropsDoorMode', stateIn({ live: { retry: 'pending' } })]),
            actions: ['adoptAutolockSettings', 'clearRetry', 'lockAfterDoorWait'],
          },
          {
            guard: and(['enablesAutolock', stateIn({ live: { bolt: 'unlocked' } })]),
            actions: ['adoptAutolockSettings', 'forgetCycleEnded', 'ensureAutolock'],
          },
          { actions: 'adoptAutolockSettings' },
        ],
        TIMER_READY: [
          // unless this spell's cycle has ended (cancelled by hand): a restart revives no cancel
          { guard: and([stateIn({ live: { bolt: 'unlocked' } }), not('cycleEnded')]), actions: 'ensureAutolock' },
          // a cycle left on disk for a lock last reported locked is over: nothing to wait for
          { guard: stateIn({ live: { bolt: 'locked' } }), actions: 'endAutolockLocked' },
        ],
        AUTOLOCK_FAILED: {
          guard: 'failureNeedsPerson',
          actions: ['rememberFailure', 'notifyFailed', 'markFailedNotice'],
        },
        AUTOLOCK_WARNING: { guard: 'warnsByNotification', actions: ['notifyWarning', 'markWarningNotice'] },
        WARNING_OVER: { guard: 'warningNoticeShown', actions: ['dismissWarning', 'forgetWarningNotice'] },
        // (a cycle ended by turning autolock off is not marked: turning it on again starts one)
        AUTOLOCK_CYCLE_ENDED: {
          guard: and([stateIn({ live: { bolt: 'unlocked' } }), 'autolockOn']),
          actions: 'markCycleEnded',
        },
        AUTOLOCK_CYCLE_STARTED: { guard: 'cycleEnded', actions: 'forgetCycleEnded' },
        DISMISS_NOTICES: {
          actions: ['dismissWarningIfShown', 'dismissJammed', 'dismissAutolockNotifications', 'forgetNotices'],
        },
      },
      states: {
        bolt: {
          initial: 'unknown',
          states: {
            locked: {
              on: {
                LOCK_STATE: [
                  { guard: 'reportsUnlocked', target: 'unlocked', actions: UNLOCKED },
                  { guard: 'reportsJammed', ...JAM },
                  { guard: 'reportsUnknown', target: 'unknown' },
                ],
              },
            },
            unlocked: {
              on: {
                LOCK_STATE: [
                  { guard: 'reportsLocked', ...LOCKED },
                  { guard: 'reportsJammed', ...JAM },
                  { guard: 'reportsUnknown', target: 'unknown' },
                ],
              },
            },
            jammed: {
              on: {
                LOCK_STATE: [
                  { guard: 'reportsLocked', ...LOCKED, actions: [...LOCKED.actions, ...UNJAM] },
                  { guard: 'reportsUnlocked', target: 'unlocked', actions: [...UNJAM, ...UNLOCKED] },
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
                  // a jam whose notice still shows (jammed, then unknown) is cleared by locked or unlocked too
                  {
                    guard: and(['reportsLocked', 'jamNoticeShown']),
                    ...LOCKED,
                    actions: [...LOCKED.actions, ...UNJAM],
                  },
                  { guard: 'reportsLocked', ...LOCKED },
                  {
                    guard: and(['reportsUnlocked', 'jamNoticeShown']),
                    target: 'unlocked',
                    actions: [...UNJAM, ...UNLOCKED],
                  },
                  { guard: 'reportsUnlocked', target: 'unlocked', actions: UNLOCKED },
                  // jammed, unknown, jammed again: still the same jam, notified once
                  { guard: and(['reportsJammed', 'jamNoticeShown']), target: 'jammed', actions: 'holdAutolock' },
                  { guard: 'reportsJammed', ...JAM },
                ],
              },
            },
          },
        },
        door: {
          initial: 'unknown',
          states: {
            open: {
              after: {
                doorOpenNotice: {
                  guard: 'watchesOpenDoor',
                  actions: ['notifyDoorLeftOpen', 'markDoorNotice', 'emitDoorLeftOpen'],
                },
              },
              on: {
                DOOR_STATE: [
                  // a pending retry is the retry region's: it starts the timer itself
                  {
                    guard: 'closesToRestart',
                    target: 'closed',
                    actions: [...DOOR_SHUT, 'restartCountdown'],
                  },
                  {
                    guard: 'closesToLockSoon',
                    target: 'closed',
                    actions: [...DOOR_SHUT, 'shortenCountdown'],
                  },
                  { guard: 'doorReportsClosed', target: 'closed', actions: DOOR_SHUT },
                  { guard: 'doorReportsUnknown', target: 'unknown', actions: DOOR_SHUT },
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
                RESTORE: { guard: 'restoresPendingRetry', target: 'pending' },
                AUTOLOCK_DEFERRED: {
                  target: 'pending',
                  actions: ['notifyDoorOpen', 'markRetryNotice', 'emitRetryPending'],
                },
              },
            },
            pending: {
              on: {
                // a fire while the retry waits (a start by hand) defers again: said again, not notified again
                AUTOLOCK_DEFERRED: { actions: 'emitRetryPending' },
                DOOR_STATE: {
                  guard: 'doorReportsClosed',
                  target: 'idle',
                  actions: [
                    'dismissDoorOpen',
                    'forgetDoorOpenNotices',
                    'notifyDoorClosed',
                    'markDoorClosedNotice',
                    'lockAfterDoorWait',
                  ],
                },
                LOCK_STATE: { guard: 'reportsLocked', target: 'idle' },
                CLEAR_RETRY: { target: 'idle', actions: ['dismissDoorOpen', 'forgetDoorOpenNotices'] },
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
