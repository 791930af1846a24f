/**
 * The lock statechart given relock's implementations: the timer it drives, the notifier, the
 * driver for a retry's lock command, and the daylight source that picks the delay.
 *
 * Invariants:
 * - provided once per system; every implementation finds its lock's timer by the lock id in
 *   the context, so a reloaded lock drives the same timer;
 * - the autolock delay is chosen when the autolock starts: day or night minutes × 60 seconds,
 *   by the daylight source at the clock's now;
 * - starting never restarts a running timer, and nothing here awaits the timer, the driver or
 *   the notifier inside a transition: failures come back as events.
 */
import { fromPromise, type SnapshotFrom } from 'xstate';
import type { Clock } from '../clock/clock.js';
import type { Logger } from '../logger.js';
import { type LockContext, lockMachine } from '../machines/lock.machine.js';
import type { LockConfig } from '../model/lock-config.js';
import { isDoorState, isLockState, type LockRuntime } from '../model/lock-runtime.js';
import { AUTOLOCK_NOTIFICATION_SUFFIXES, autolockNotificationId } from '../model/slug.js';
import type { DaylightSource } from '../ports/daylight.js';
import type { LockDriver, LockView } from '../ports/lock-driver.js';
import type { AutolockTimer } from './autolock-timer.actor.js';
import type { Notifications } from './notifications.js';

export interface LockActorDeps {
  readonly clock: Clock;
  readonly driver: LockDriver;
  readonly notifications: Notifications;
  readonly daylight: DaylightSource;
  readonly logger: Logger;
  readonly timerOf: (lockId: string) => AutolockTimer | undefined;
  /**
   * Sends a retry's lock command, or joins the one in flight for that lock (a reload's new actor
   * waits for its old actor's command). `signal` aborts when this actor stops waiting.
   */
  readonly retryCommand: (lock: LockView, signal: AbortSignal) => Promise<void>;
  /** How long a retry's lock command may take (default 30 s). */
  readonly commandTimeoutMs?: number;
}

export function autolockDurationSeconds(config: LockConfig, daylight: DaylightSource, now: number): number {
  const { dayMinutes, nightMinutes } = config.autolock;
  return (daylight({ id: config.id, name: config.name }, now) ? dayMinutes : nightMinutes) * 60;
}

export function provideLockMachine(deps: LockActorDeps) {
  const { notifications, logger } = deps;
  const quietly = (lockId: string, what: string) => (error: unknown) =>
    logger.debug(`${what} did not complete`, {
      lockId,
      message: error instanceof Error ? error.message : String(error),
    });
  const note = (context: LockContext, which: 'door_open' | 'door_closed' | 'failed', title: string, message: string) =>
    notifications.notify(context.config.id, { id: autolockNotificationId(context.config, which), title, message });

  const startAutolock = ({ config }: LockContext): void => {
    const timer = deps.timerOf(config.id);
    if (!config.autolock.enabled || timer === undefined) return;
    // a fire under a held cancel ends its cycle: a new cycle's start replaces that cancel
    if (timer.status().state === 'FRESH' || timer.hasAutolockComing()) return;
    const seconds = autolockDurationSeconds(config, deps.daylight, deps.clock.now());
    timer.start(seconds).catch(quietly(config.id, 'autolock start'));
  };

  return lockMachine.provide({
    actors: {
      relockCommand: fromPromise<void, { lockId: string; name: string }>(({ input, signal }) =>
        deps.retryCommand({ id: input.lockId, name: input.name }, signal),
      ),
    },
    actions: {
      ensureAutolock: ({ context, self }) => {
        // the snapshot before this transition: a pending retry is already this cycle's autolock
        const retry = regionState(self.getSnapshot() as LockSnapshot, 'retry');
        if (retry !== 'pending' && retry !== 'relocking') startAutolock(context);
      },
      rearmAutolock: ({ context }) => startAutolock(context),
      cancelAutolock: ({ context }) => {
        deps.timerOf(context.config.id)?.cancel().catch(quietly(context.config.id, 'autolock cancel'));
      },
      dismissAutolockNotifications: ({ context }) =>
        notifications.dismiss(
          context.config.id,
          AUTOLOCK_NOTIFICATION_SUFFIXES.map((which) => autolockNotificationId(context.config, which)),
        ),
      dismissDoorOpen: ({ context }) =>
        notifications.dismiss(context.config.id, [autolockNotificationId(context.config, 'door_open')]),
      notifyDoorOpen: ({ context }) =>
        note(
          context,
          'door_open',
          `${context.config.name}: door open`,
          `The door is open, so ${context.config.name} was not locked. It will be locked when the door closes.`,
        ),
      notifyDoorClosed: ({ context }) =>
        note(
          context,
          'door_closed',
          `${context.config.name}: door closed`,
          `The door has closed; re-attempting to lock ${context.config.name}.`,
        ),
      notifyFailed: ({ context }) =>
        note(
          context,
          'failed',
          `${context.config.name}: autolock failed`,
          `Autolock could not lock ${context.config.name}: ${context.lastFailure ?? 'unknown error'}. Please check the door.`,
        ),
    },
    delays: {
      commandTimeout: deps.commandTimeoutMs ?? 30_000,
    },
  });
}

export type LockLogic = ReturnType<typeof provideLockMachine>;
export type LockSnapshot = SnapshotFrom<typeof lockMachine>;

/** The state of one region of a live lock (`undefined` once retired). */
export function regionState(snapshot: LockSnapshot, region: 'bolt' | 'door' | 'retry'): string | undefined {
  const value = snapshot.value;
  return typeof value === 'string' ? undefined : (value as { live?: Record<string, string> }).live?.[region];
}

/** The runtime state a live lock actor is in (what a reload inherits and a restart restores). */
export function lockRuntimeOf(snapshot: LockSnapshot): LockRuntime {
  const bolt = regionState(snapshot, 'bolt');
  const door = regionState(snapshot, 'door');
  const retry = regionState(snapshot, 'retry');
  return {
    lockState: isLockState(bolt) ? bolt : 'unknown',
    doorState: isDoorState(door) ? door : 'unknown',
    pendingRetry: retry === 'pending' || retry === 'relocking',
  };
}

export type AutolockDecision = 'already-locked' | 'defer' | 'lock';

/** What a fire does to this lock right now. */
export function autolockDecision(snapshot: LockSnapshot): AutolockDecision {
  const runtime = lockRuntimeOf(snapshot);
  if (runtime.lockState === 'locked') return 'already-locked';
  if (snapshot.context.config.autolock.retryWhenDoorCloses && runtime.doorState === 'open') return 'defer';
  return 'lock';
}
