/**
 * The persisted form of one running autolock: when it ends and how long it was set for.
 *
 * Invariants:
 * - `endsAt` is an absolute instant (milliseconds since the Unix epoch, UTC), never a local
 *   wall-clock time; a string is accepted only when it carries a zone (`Z` or `±hh:mm`);
 * - `durationSeconds` is a non-negative integer;
 * - `endsAt` is when the next step of the cycle is due: the lock command for a `countdown` or a
 *   `retry` entry, the end of the wait for a `locked` report for a `confirm` entry;
 * - `attempt` counts the lock commands of the cycle already sent (0 for a countdown);
 * - an entry is immutable; constructing an invalid one throws `InvalidArgumentError` naming the
 *   field, so every entry in memory is valid whether it was built or parsed.
 */
import { InvalidArgumentError } from '../errors.js';

/**
 * Where in its cycle an autolock is: counting down to its first command, waiting to retry a
 * failed or unconfirmed command, or waiting for a `locked` report that confirms a command.
 */
export type TimerStage = 'countdown' | 'retry' | 'confirm';

export interface TimerEntry {
  /** The instant the next step is due, in epoch milliseconds (UTC). */
  readonly endsAt: number;
  /** The autolock delay this entry was armed with, in whole seconds. */
  readonly durationSeconds: number;
  readonly stage: TimerStage;
  /** Lock commands of this cycle already sent. */
  readonly attempt: number;
}

/** ISO-8601 with an explicit zone designator. */
const ZONED_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

function toInstant(value: unknown, field: string): number {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isFinite(ms)) return ms;
  } else if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
  } else if (typeof value === 'string' && ZONED_ISO.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new InvalidArgumentError(field, value, 'a valid instant with a time zone');
}

/** Validates and freezes a timer entry. */
export function createTimerEntry(input: {
  endsAt: Date | number | string;
  durationSeconds: number;
  stage?: TimerStage;
  attempt?: number;
}): TimerEntry {
  const endsAt = toInstant(input.endsAt, 'endsAt');
  const { durationSeconds, stage = 'countdown', attempt = 0 } = input;
  if (typeof durationSeconds !== 'number' || !Number.isInteger(durationSeconds) || durationSeconds < 0) {
    throw new InvalidArgumentError('durationSeconds', durationSeconds, 'a non-negative integer');
  }
  if (stage !== 'countdown' && stage !== 'retry' && stage !== 'confirm') {
    throw new InvalidArgumentError('stage', stage, '"countdown", "retry" or "confirm"');
  }
  if (!Number.isInteger(attempt) || attempt < 0 || (stage === 'countdown') !== (attempt === 0)) {
    throw new InvalidArgumentError('attempt', attempt, 'a whole number: 0 for a countdown, at least 1 otherwise');
  }
  return Object.freeze({ endsAt, durationSeconds, stage, attempt });
}

/** The entry for an autolock armed at `now` for `durationSeconds`. */
export function entryStartingAt(now: number, durationSeconds: number): TimerEntry {
  return createTimerEntry({ endsAt: now + durationSeconds * 1000, durationSeconds });
}
