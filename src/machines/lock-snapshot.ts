/**
 * What a lock actor's snapshot says, in the model's words: the state of each region and the
 * runtime state a reload inherits and a restart restores; and the snapshot a lock actor is
 * created in when it resumes a runtime state.
 *
 * Invariants:
 * - pure functions of a snapshot of the lock statechart (or of any `.provide()` of it);
 * - a restored snapshot is exactly the state RESTORE would reach, with the context the input
 *   gives, except an open door: entering `door.open` schedules the door-left-open notice (a
 *   delayed event, which a restored snapshot cannot hold), so that region starts `unknown` and
 *   the caller enters `open` with RESTORE (`restoresDoorOpenAfterStart`).
 */
import type { Snapshot, SnapshotFrom } from 'xstate';
import { isDoorState, isLockState, type LockRuntime, noticesOf } from '../model/lock-runtime.js';
import { type LockInput, lockContextOf, type lockMachine } from './lock.machine.js';

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
    cycleEnded: snapshot.context.cycleEnded,
    ...noticesOf(snapshot.context),
  };
}

/**
 * The snapshot to create a lock actor in (`createActor(logic, { snapshot })`) for a stored or
 * inherited runtime state: one state resolution instead of a start and a RESTORE macrostep.
 */
export function restoredLockSnapshot(input: LockInput, runtime: LockRuntime): Snapshot<unknown> {
  const persisted = {
    status: 'active',
    value: {
      live: {
        bolt: runtime.lockState,
        door: runtime.doorState === 'open' ? 'unknown' : runtime.doorState,
        retry: runtime.pendingRetry ? 'pending' : 'idle',
      },
    },
    context: lockContextOf(input),
    children: {},
    historyValue: {},
    output: undefined,
    error: undefined,
  };
  return persisted as Snapshot<unknown>;
}

/** An open door is entered after the start, with RESTORE, so its notice delay is scheduled. */
export function restoresDoorOpenAfterStart(runtime: LockRuntime): boolean {
  return runtime.doorState === 'open';
}
