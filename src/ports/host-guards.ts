/**
 * Guards around the functions a host hands to relock: the daylight source, the clock's `now()`,
 * the inspection observer and the observers of a status store.
 *
 * Invariants:
 * - a host function that throws (or answers what it cannot mean) never throws into an actor,
 *   a transition or an API call of relock: its failure is reported (`HostErrorReporter`) and a
 *   safe fallback is used instead;
 * - the fallbacks: daylight → day (the day minutes); `now()` → the last instant it gave that a
 *   `Date` can hold; a `setTimeout` that throws → the process's own timer for that one delay (a
 *   deadline late by the host's fault beats a lost one); an observer → its event is skipped for
 *   that observer alone;
 * - a failure is reported once per streak for the clock (a broken clock is read often), every
 *   time for the others; a report never carries the value that failed, only its kind and message.
 */
import type { InspectionEvent, Observer } from 'xstate';
import { type Clock, systemClock, type TimerHandle } from '../clock/clock.js';
import type { DaylightSource } from './daylight.js';

export type HostFunction = 'daylight' | 'clock' | 'inspect' | 'statusStore';

/** Tells the host that one of its functions failed (logged and emitted as `host.error`). */
export type HostErrorReporter = (source: HostFunction, message: string, lockId?: string) => void;

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A daylight source that says "day" (and reports) when the host's throws or answers a non-boolean. */
export function guardDaylight(daylight: DaylightSource, report: HostErrorReporter): DaylightSource {
  return (lock, now) => {
    try {
      const isDay = daylight(lock, now);
      if (typeof isDay === 'boolean') return isDay;
      report('daylight', `returned ${typeof isDay}, not a boolean; using the day minutes`, lock.id);
    } catch (error) {
      report('daylight', `${messageOf(error)}; using the day minutes`, lock.id);
    }
    return true;
  };
}

/** The largest instant a `Date` holds: anything beyond cannot be an entry's end time. */
const MAX_INSTANT_MS = 8.64e15;

/** A delay the host's `setTimeout` refused, scheduled on the process's own timer instead. */
class FallbackHandle {
  constructor(readonly handle: TimerHandle) {}
}

/**
 * A clock whose `now()` is always an instant a `Date` can hold: when the host's throws or gives
 * something else (NaN, nanoseconds), the last good instant stands (time stands still rather than
 * becoming NaN); and whose `setTimeout` and `clearTimeout` never throw into an actor.
 */
export function guardClock(clock: Clock, first: number, report: HostErrorReporter): Clock {
  let last = first;
  let failing = false;
  const fail = (message: string): number => {
    if (!failing) report('clock', `now() ${message}; using the last good time until it recovers`);
    failing = true;
    return last;
  };
  return {
    now: () => {
      let value: unknown;
      try {
        value = clock.now();
      } catch (error) {
        return fail(`threw: ${messageOf(error)}`);
      }
      if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > MAX_INSTANT_MS) {
        return fail(`returned ${String(value)}`);
      }
      last = value;
      failing = false;
      return value;
    },
    setTimeout: (fn, ms) => {
      try {
        return clock.setTimeout(fn, ms);
      } catch (error) {
        report('clock', `setTimeout threw: ${messageOf(error)}; this delay runs on the process's own timer`);
        return new FallbackHandle(systemClock.setTimeout(fn, ms));
      }
    },
    clearTimeout: (handle) => {
      if (handle instanceof FallbackHandle) {
        systemClock.clearTimeout(handle.handle);
        return;
      }
      try {
        clock.clearTimeout(handle);
      } catch (error) {
        report('clock', `clearTimeout threw: ${messageOf(error)}`);
      }
    },
  };
}

type ObserverOrFn<T> = Partial<Observer<T>> | ((value: T) => void);

/** An observer that never throws into its caller: a throw is reported and the value skipped. */
export function guardObserver<T>(
  observer: ObserverOrFn<T>,
  source: HostFunction,
  report: HostErrorReporter,
  lockId?: string,
): Observer<T> {
  const call = (what: string, run: () => void): void => {
    try {
      run();
    } catch (error) {
      report(source, `${what} threw: ${messageOf(error)}`, lockId);
    }
  };
  if (typeof observer === 'function') return { next: (value) => call('observer', () => observer(value)) };
  return {
    next: (value) => call('observer.next', () => observer.next?.(value)),
    error: (error) => call('observer.error', () => observer.error?.(error)),
    complete: () => call('observer.complete', () => observer.complete?.()),
  };
}

/** The inspection observer given to XState, guarded. */
export function guardInspect(
  inspect: Observer<InspectionEvent> | ((event: InspectionEvent) => void),
  report: HostErrorReporter,
): Observer<InspectionEvent> {
  return guardObserver(inspect, 'inspect', report);
}
