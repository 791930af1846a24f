/**
 * A timer's status as the public API names it, read from the timer statechart's snapshot.
 *
 * Invariants:
 * - derived only from a snapshot and an instant: no actor, no clock of its own;
 * - ACTIVE means "an entry is durable" (waiting, firing, confirming, retrying, held, failed and
 *   kept, or being removed); ARMING: the deadline runs, the entry is not yet durable;
 * - `running` says whether a lock command is scheduled or in flight.
 */
import type { SnapshotFrom } from 'xstate';
import type { autolockTimerMachine } from '../machines/autolock-timer.machine.js';
import type { TimerStage } from '../persistence/timer-entry.js';

export type AutolockTimerSnapshot = SnapshotFrom<typeof autolockTimerMachine>;

/** The timer's state as the public API names it. ACTIVE means "an entry is durable". */
export type TimerState = 'FRESH' | 'ARMING' | 'ACTIVE' | 'DONE';

export interface TimerStatus {
  readonly state: TimerState;
  /** The statechart's own state name (`active`, `firing`, `failed`, ...). */
  readonly phase: string;
  /** Whether a fire is scheduled or in flight. */
  readonly running: boolean;
  /** When the next step is due: the command of a countdown or a retry, the end of a confirmation wait. */
  readonly endsAt: number | null;
  readonly durationSeconds: number | null;
  readonly remainingSeconds: number | null;
  /** Where the cycle is (null with no entry). */
  readonly stage: TimerStage | null;
  /** Lock commands of this cycle sent so far. */
  readonly attempt: number;
}

export function phaseOf(snapshot: AutolockTimerSnapshot): string {
  const value = snapshot.value;
  return typeof value === 'string' ? value : Object.keys(value)[0];
}

const STATE_OF_PHASE: Record<string, TimerState> = {
  fresh: 'FRESH',
  recovering: 'FRESH',
  arming: 'ARMING',
  active: 'ACTIVE',
  firing: 'ACTIVE',
  retrying: 'ACTIVE',
  confirming: 'ACTIVE',
  failed: 'ACTIVE',
  held: 'ACTIVE',
  clearing: 'ACTIVE',
  done: 'DONE',
  retired: 'DONE',
};

/** The phases in which a lock command is scheduled or in flight. */
const RUNNING_PHASES = new Set(['arming', 'active', 'firing', 'retrying', 'confirming']);

export function timerStatus(snapshot: AutolockTimerSnapshot, now: number): TimerStatus {
  const phase = phaseOf(snapshot);
  const entry = snapshot.context.entry;
  return {
    state: STATE_OF_PHASE[phase] ?? 'DONE',
    phase,
    running: RUNNING_PHASES.has(phase),
    endsAt: entry?.endsAt ?? null,
    durationSeconds: entry?.durationSeconds ?? null,
    remainingSeconds: entry === null ? null : Math.max(0, Math.ceil((entry.endsAt - now) / 1000)),
    stage: entry?.stage ?? null,
    attempt: snapshot.context.attempt,
  };
}
