/**
 * What a lock is doing right now, as the host last reported it.
 *
 * Invariant: runtime state comes only from host reports and relock's own decisions (a pending
 * retry); it is never part of the configuration a host passes.
 */
export const LOCK_STATES = ['locked', 'unlocked', 'jammed', 'unknown'] as const;
export type LockState = (typeof LOCK_STATES)[number];

export const DOOR_STATES = ['open', 'closed', 'unknown'] as const;
export type DoorState = (typeof DOOR_STATES)[number];

export interface LockRuntime {
  readonly lockState: LockState;
  readonly doorState: DoorState;
  /** The autolock found the door open and waits for it to close. */
  readonly pendingRetry: boolean;
  /** The jammed notice is showing: dismissed when the jam clears, also after a reload or restart. */
  readonly jamNoticeShown: boolean;
  /** The door-left-open notice is showing: not posted again, dismissed when the door closes. */
  readonly doorNoticeShown: boolean;
  /** The warning notice is showing: dismissed when its countdown's command is attempted, moves or ends. */
  readonly warningNoticeShown: boolean;
}

export const INITIAL_RUNTIME: LockRuntime = Object.freeze({
  lockState: 'unknown',
  doorState: 'unknown',
  pendingRetry: false,
  jamNoticeShown: false,
  doorNoticeShown: false,
  warningNoticeShown: false,
});

export function isLockState(value: unknown): value is LockState {
  return typeof value === 'string' && (LOCK_STATES as readonly string[]).includes(value);
}

export function isDoorState(value: unknown): value is DoorState {
  return typeof value === 'string' && (DOOR_STATES as readonly string[]).includes(value);
}
