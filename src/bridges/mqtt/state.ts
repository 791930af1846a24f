/**
 * A lock's published state: the JSON on `<base>/<lock key>/state` that every Home Assistant
 * entity of the lock reads (`value_json.<field>`).
 *
 * Invariants:
 * - derived from `relock.status(id)` and the minutes the bridge knows, nothing else; plain JSON
 *   with no PIN (relock's status never holds one);
 * - a value not known is `null` (Home Assistant shows it as unknown): `ends_at` and
 *   `remaining_seconds` when nothing is due, the minutes when the bridge has not seen them;
 * - `problem` is `ON` exactly when `problem_reason` is not null: `jammed` (the lock reports a
 *   jam), `failed` (an attempt failed: retrying, or all failed), `door-open` (the door was open
 *   at the deadline and relock waits for it to close); a door merely open is no problem;
 * - `ends_at` is an ISO 8601 UTC time, as a Home Assistant timestamp sensor takes it.
 */
import type { LockStatus } from '../../status/lock-status.js';

/** The most minutes a day or night setting takes (relock's limit: a week). */
export { MAX_MINUTES as MAX_MINUTES_PER_SETTING } from '../../model/lock-config.js';

export type ProblemReason = 'jammed' | 'failed' | 'door-open';

export interface LockStatePayload {
  readonly autolock: 'ON' | 'OFF';
  readonly day_minutes: number | null;
  readonly night_minutes: number | null;
  readonly phase: LockStatus['autolock'];
  readonly summary: string;
  readonly ends_at: string | null;
  readonly remaining_seconds: number | null;
  readonly lock_state: LockStatus['lockState'];
  readonly door_state: LockStatus['doorState'];
  readonly attempt: number;
  readonly attempts: number;
  readonly last_failure: string | null;
  readonly problem: 'ON' | 'OFF';
  readonly problem_reason: ProblemReason | null;
}

export function problemOf(status: LockStatus): ProblemReason | null {
  if (status.lockState === 'jammed' || status.autolock === 'jammed') return 'jammed';
  if (status.autolock === 'failed' || status.autolock === 'retrying') return 'failed';
  if (status.autolock === 'waiting-for-door') return 'door-open';
  return null;
}

export function lockStatePayload(status: LockStatus): LockStatePayload {
  const problem = problemOf(status);
  return {
    autolock: status.autolockEnabled ? 'ON' : 'OFF',
    day_minutes: status.autolockSettings.dayMinutes,
    night_minutes: status.autolockSettings.nightMinutes,
    phase: status.autolock,
    summary: status.summary,
    ends_at: status.endsAt === null ? null : new Date(status.endsAt).toISOString(),
    remaining_seconds: status.remainingSeconds,
    lock_state: status.lockState,
    door_state: status.doorState,
    attempt: status.attempt,
    attempts: status.attempts,
    last_failure: status.lastFailure,
    problem: problem === null ? 'OFF' : 'ON',
    problem_reason: problem,
  };
}
