/**
 * The host's lock driver: the one way relock moves a bolt.
 *
 * Contract (see the README's driver section):
 * - `lock()` resolves once the host has accepted the lock command; it need not wait for the bolt
 *   to report locked (the host reports that with `reportLockState`);
 * - it throws when the command could not be sent (lock offline, entity gone, host error); the
 *   autolock then counts as failed, a person is notified, and the timer entry is kept for replay;
 * - it should honour `signal`: relock aborts it after the action timeout (30 s by default) and
 *   counts the command as failed.
 */
export interface LockView {
  readonly id: string;
  readonly name: string;
}

export interface LockCommandOptions {
  readonly signal: AbortSignal;
  /**
   * Only with `relock/cluster`: the fencing token of the process that sends this command, larger
   * for every new owner of the lock. A driver that can keep the largest token seen per lock may
   * refuse a command with a smaller one (a process that lost the lock while paused).
   */
  readonly fencingToken?: number;
}

export interface LockDriver {
  lock(lock: LockView, options: LockCommandOptions): Promise<void>;
}
