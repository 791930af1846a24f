/**
 * What a lock is doing right now, as the host last reported it, and which of its notices show.
 *
 * Invariants:
 * - runtime state comes only from host reports and relock's own decisions (a pending retry, a
 *   notice posted); it is never part of the configuration a host passes;
 * - a notice flag is true from the notify to the dismiss of its notification, so a dismiss is
 *   sent only for a notice that shows, also after a reload or a restart.
 */
export const LOCK_STATES = ['locked', 'unlocked', 'jammed', 'unknown'] as const;
export type LockState = (typeof LOCK_STATES)[number];

export const DOOR_STATES = ['open', 'closed', 'unknown'] as const;
export type DoorState = (typeof DOOR_STATES)[number];

/** Which of a lock's notices are showing (posted and not yet dismissed). */
export interface LockNotices {
  /** The jammed notice is showing: dismissed when the jam clears, also after a reload or restart. */
  readonly jamNoticeShown: boolean;
  /** The door-left-open notice (`door_open`) is showing: not posted again, dismissed when the door closes. */
  readonly doorNoticeShown: boolean;
  /** The warning notice is showing: dismissed when its countdown's command is attempted, moves or ends. */
  readonly warningNoticeShown: boolean;
  /**
   * The door-open notice of a pending retry is showing ("it will be locked when the door closes";
   * the id `door_open`, as the door-left-open notice): dismissed when the retry ends or the lock locks.
   */
  readonly retryNoticeShown: boolean;
  /** The door-closed notice (the door closed on a pending retry) is showing: dismissed when the lock locks. */
  readonly doorClosedNoticeShown: boolean;
  /** The failed notice (an attempt failed) is showing: dismissed when the lock locks. */
  readonly failedNoticeShown: boolean;
}

/** Every notice flag, in a stable order (record codec, comparisons, handoffs). */
export const NOTICE_FLAGS = [
  'jamNoticeShown',
  'doorNoticeShown',
  'warningNoticeShown',
  'retryNoticeShown',
  'doorClosedNoticeShown',
  'failedNoticeShown',
] as const satisfies readonly (keyof LockNotices)[];

export const NO_NOTICES: LockNotices = Object.freeze({
  jamNoticeShown: false,
  doorNoticeShown: false,
  warningNoticeShown: false,
  retryNoticeShown: false,
  doorClosedNoticeShown: false,
  failedNoticeShown: false,
});

/** The notice flags of a runtime (or any object holding them). */
export function noticesOf(from: LockNotices): LockNotices {
  return {
    jamNoticeShown: from.jamNoticeShown,
    doorNoticeShown: from.doorNoticeShown,
    warningNoticeShown: from.warningNoticeShown,
    retryNoticeShown: from.retryNoticeShown,
    doorClosedNoticeShown: from.doorClosedNoticeShown,
    failedNoticeShown: from.failedNoticeShown,
  };
}

export interface LockRuntime extends LockNotices {
  readonly lockState: LockState;
  readonly doorState: DoorState;
  /** The autolock found the door open and waits for it to close. */
  readonly pendingRetry: boolean;
  /**
   * The autolock cycle of this unlocked spell has ended without a `locked` report: cancelled by
   * hand, or its command accepted by a lock that reports no state. A restart or a takeover by
   * another process then starts no new countdown; a lock report or a start clears it.
   */
  readonly cycleEnded: boolean;
}

export const INITIAL_RUNTIME: LockRuntime = Object.freeze({
  lockState: 'unknown',
  doorState: 'unknown',
  pendingRetry: false,
  cycleEnded: false,
  ...NO_NOTICES,
});

export function isLockState(value: unknown): value is LockState {
  return typeof value === 'string' && (LOCK_STATES as readonly string[]).includes(value);
}

export function isDoorState(value: unknown): value is DoorState {
  return typeof value === 'string' && (DOOR_STATES as readonly string[]).includes(value);
}
