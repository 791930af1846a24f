/**
 * The lock statechart given relock's implementations: the timer it drives, the notifier, and
 * the daylight source that picks the delay.
 *
 * Invariants:
 * - provided once per system; every implementation finds its lock's timer by the lock id in
 *   the context, so a reloaded lock drives the same timer;
 * - the autolock delay is chosen when the autolock starts: day or night minutes × 60 seconds,
 *   by the daylight source at the clock's now; a period whose autolock is turned off
 *   (`dayEnabled`/`nightEnabled`) starts none;
 * - starting never restarts a running timer (except the door modes' moves of a running
 *   countdown, which re-arm it durably: the old end stays armed until the new one is written),
 *   and nothing here awaits the timer or the notifier inside a transition: failures come back
 *   as events;
 * - a dismiss is sent only for a notice the context says shows (`door_open` when either notice
 *   that uses the id shows); the machine forgets each flag right after its dismissal.
 */
import type { Clock } from '../clock/clock.js';
import type { Logger } from '../logger.js';
import { type AttemptFailure, effectiveDoorMode, type LockContext, lockMachine } from '../machines/lock.machine.js';
import { type LockSnapshot, lockRuntimeOf, regionState } from '../machines/lock-snapshot.js';
import type { LockConfig } from '../model/lock-config.js';
import { type AutolockNotification, autolockNotificationId } from '../model/slug.js';
import type { DaylightSource } from '../ports/daylight.js';
import type { AutolockPolicy, AutolockTimer } from './autolock-timer.actor.js';
import type { Notifications } from './notifications.js';

export interface LockActorDeps {
  readonly clock: Clock;
  readonly notifications: Notifications;
  readonly daylight: DaylightSource;
  readonly logger: Logger;
  readonly timerOf: (lockId: string) => AutolockTimer | undefined;
}

/** The autolock delay for a start at `now` (day or night minutes), and whether that period autolocks at all. */
export function autolockPeriod(
  config: LockConfig,
  daylight: DaylightSource,
  now: number,
): { readonly seconds: number; readonly enabled: boolean } {
  const { dayMinutes, nightMinutes, dayEnabled, nightEnabled } = config.autolock;
  const day = daylight({ id: config.id, name: config.name }, now);
  return { seconds: (day ? dayMinutes : nightMinutes) * 60, enabled: day ? dayEnabled : nightEnabled };
}

export function autolockDurationSeconds(config: LockConfig, daylight: DaylightSource, now: number): number {
  return autolockPeriod(config, daylight, now).seconds;
}

/** What a lock's settings ask of its autolock cycle (read by the timer when a step needs it). */
export function autolockPolicy(config: LockConfig): AutolockPolicy {
  const { maxAttempts, retryDelaySeconds, confirmSeconds, warnSeconds } = config.autolock;
  return {
    maxAttempts,
    retryDelaySeconds,
    confirmSeconds: config.reportsLockState ? confirmSeconds : null,
    warnSeconds,
  };
}

function clockTime(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

/** The failure notice's words: which attempt, and what comes next. */
export function failureMessage(name: string, failure: AttemptFailure): string {
  const which = `attempt ${failure.attempt} of ${failure.attempts}`;
  const what = failure.unconfirmed
    ? `${name} was sent the lock command but did not report locked (${which})`
    : `Autolock could not lock ${name} (${which}): ${failure.reason}`;
  if (failure.nextAttemptAt !== null) return `${what}. Trying again at ${clockTime(failure.nextAttemptAt)} UTC.`;
  if (failure.keptForReplay) {
    return `${what}. That was the last attempt: please check the door. relock tries again after a restart, or when the lock is unlocked again.`;
  }
  return `${what}.`;
}

export function provideLockMachine(deps: LockActorDeps) {
  const { notifications, logger } = deps;
  const quietly = (lockId: string, what: string) => (error: unknown) =>
    logger.debug(`${what} did not complete`, {
      lockId,
      message: error instanceof Error ? error.message : String(error),
    });
  const note = (context: LockContext, which: AutolockNotification, title: string, message: string) =>
    notifications.notify(context.config.id, { id: autolockNotificationId(context.config, which), title, message });
  const dismiss = (context: LockContext, ...which: AutolockNotification[]) =>
    notifications.dismiss(
      context.config.id,
      which.map((one) => autolockNotificationId(context.config, one)),
    );

  /** Starts the autolock for this time of day unless one is coming (or the timer has not recovered). */
  const startAutolock = ({ config }: LockContext): void => {
    const timer = deps.timerOf(config.id);
    if (!config.autolock.enabled || timer === undefined) return;
    // a fire under a held cancel ends its cycle: a new cycle's start replaces that cancel
    if (timer.status().state === 'FRESH' || timer.hasAutolockComing()) return;
    const period = autolockPeriod(config, deps.daylight, deps.clock.now());
    if (!period.enabled) return;
    timer.start(period.seconds).catch(quietly(config.id, 'autolock start'));
  };

  /** Per lock, the end of the countdown the last door close armed (`after-close`): a later close moves it. */
  const armedByClose = new Map<string, number>();
  /**
   * Re-arms a running countdown to end `seconds` from now. `onlySooner`: unless it ends sooner
   * already, and was not itself armed by an earlier close (the latest close counts).
   */
  const moveCountdown = ({ config }: LockContext, seconds: number, onlySooner: boolean): void => {
    const timer = deps.timerOf(config.id);
    if (timer === undefined) return;
    const status = timer.status();
    if (status.phase !== 'arming' && status.phase !== 'active') return;
    const now = deps.clock.now();
    const endsSooner = status.endsAt !== null && status.endsAt <= now + seconds * 1000;
    if (onlySooner && endsSooner && armedByClose.get(config.id) !== status.endsAt) return;
    if (onlySooner) armedByClose.set(config.id, now + seconds * 1000);
    timer.start(seconds).catch(quietly(config.id, 'autolock restart'));
  };

  return lockMachine.provide({
    actions: {
      ensureAutolock: ({ context, self }) => {
        // the snapshot before this transition: a pending retry is already this cycle's autolock
        if (regionState(self.getSnapshot() as LockSnapshot, 'retry') !== 'pending') startAutolock(context);
      },
      lockAfterDoorWait: ({ context }) => {
        const { config } = context;
        const timer = deps.timerOf(config.id);
        if (!config.autolock.enabled || timer === undefined || timer.status().state === 'FRESH') return;
        const { afterCloseSeconds } = config.autolock;
        const doorMode = effectiveDoorMode(config);
        const seconds =
          doorMode === 'restart-on-close'
            ? autolockDurationSeconds(config, deps.daylight, deps.clock.now())
            : doorMode === 'after-close'
              ? afterCloseSeconds
              : 0;
        timer.start(seconds).catch(quietly(config.id, 'autolock after the door closed'));
      },
      restartCountdown: ({ context }) =>
        moveCountdown(context, autolockDurationSeconds(context.config, deps.daylight, deps.clock.now()), false),
      shortenCountdown: ({ context }) => moveCountdown(context, context.config.autolock.afterCloseSeconds, true),
      cancelAutolock: ({ context }) => {
        deps.timerOf(context.config.id)?.cancel().catch(quietly(context.config.id, 'autolock cancel'));
      },
      endAutolockLocked: ({ context }) => {
        deps.timerOf(context.config.id)?.cancel({ locked: true }).catch(quietly(context.config.id, 'autolock end'));
      },
      holdAutolock: ({ context }) => deps.timerOf(context.config.id)?.jammed(),
      dismissAutolockNotifications: ({ context }) => {
        const showing: AutolockNotification[] = [];
        if (context.doorNoticeShown || context.retryNoticeShown) showing.push('door_open');
        if (context.doorClosedNoticeShown) showing.push('door_closed');
        if (context.failedNoticeShown) showing.push('failed');
        dismiss(context, ...showing);
      },
      dismissWarning: ({ context }) => dismiss(context, 'warning'),
      dismissWarningIfShown: ({ context }) => {
        if (context.warningNoticeShown) dismiss(context, 'warning');
      },
      releaseAutolock: ({ context }) => deps.timerOf(context.config.id)?.unjammed(),
      dismissDoorOpen: ({ context }) => {
        if (context.doorNoticeShown || context.retryNoticeShown) dismiss(context, 'door_open');
      },
      dismissDoorLeftOpen: ({ context }) => {
        if (context.doorNoticeShown) dismiss(context, 'door_open');
      },
      dismissJammed: ({ context }) => {
        if (context.jamNoticeShown) dismiss(context, 'jammed');
      },
      notifyDoorOpen: ({ context }) =>
        note(
          context,
          'door_open',
          `${context.config.name}: door open`,
          `The door is open, so ${context.config.name} was not locked. It will be locked when the door closes.`,
        ),
      notifyDoorLeftOpen: ({ context }) =>
        note(
          context,
          'door_open',
          `${context.config.name}: door left open`,
          `The door of ${context.config.name} has been open for ${context.config.autolock.doorOpenNoticeMinutes} minutes.`,
        ),
      notifyDoorClosed: ({ context }) =>
        note(
          context,
          'door_closed',
          `${context.config.name}: door closed`,
          effectiveDoorMode(context.config) === 'restart-on-close' ||
            effectiveDoorMode(context.config) === 'after-close'
            ? `The door has closed; ${context.config.name} will be locked in ${effectiveDoorMode(context.config) === 'after-close' ? `${context.config.autolock.afterCloseSeconds} seconds` : 'the full autolock time'}.`
            : `The door has closed; re-attempting to lock ${context.config.name}.`,
        ),
      notifyFailed: ({ context, event }) => {
        if (event.type !== 'AUTOLOCK_FAILED') return;
        note(
          context,
          'failed',
          `${context.config.name}: ${event.unconfirmed ? 'autolock not confirmed' : 'autolock failed'}`,
          failureMessage(context.config.name, event),
        );
      },
      notifyJammed: ({ context }) =>
        note(
          context,
          'jammed',
          `${context.config.name}: jammed`,
          `${context.config.name} reports it is jammed. Autolock sends it no command until it reports locked or unlocked; please check the door.`,
        ),
      notifyWarning: ({ context, event }) => {
        if (event.type !== 'AUTOLOCK_WARNING') return;
        const seconds = Math.max(0, Math.round((event.endsAt - deps.clock.now()) / 1000));
        note(
          context,
          'warning',
          `${context.config.name}: locking soon`,
          `${context.config.name} will be locked in ${seconds} seconds.`,
        );
      },
    },
  });
}

export type LockLogic = ReturnType<typeof provideLockMachine>;
export { type LockSnapshot, lockRuntimeOf, regionState } from '../machines/lock-snapshot.js';
export type AutolockDecision = 'already-locked' | 'jammed' | 'defer' | 'lock';

/** What a fire does to this lock right now. */
export function autolockDecision(snapshot: LockSnapshot): AutolockDecision {
  const runtime = lockRuntimeOf(snapshot);
  if (runtime.lockState === 'locked') return 'already-locked';
  if (runtime.lockState === 'jammed') return 'jammed';
  if (effectiveDoorMode(snapshot.context.config) !== 'countdown' && runtime.doorState === 'open') return 'defer';
  return 'lock';
}
