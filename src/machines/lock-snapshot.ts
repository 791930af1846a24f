/**
 * What a lock actor's snapshot says, in the model's words: the state of each region and the
 * runtime state a reload inherits and a restart restores.
 *
 * Invariant: pure functions of a snapshot of the lock statechart (or of any `.provide()` of it).
 */
import type { SnapshotFrom } from 'xstate';
import { isDoorState, isLockState, type LockRuntime } from '../model/lock-runtime.js';
import type { lockMachine } from './lock.machine.js';

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
    pendingRetry: retry === 'pending',
    jamNoticeShown: snapshot.context.jamNoticeShown,
    doorNoticeShown: snapshot.context.doorNoticeShown,
    warningNoticeShown: snapshot.context.warningNoticeShown,
  };
}
