/**
 * `{ signal }` for the calls of the public API that wait (start, extend, cancel, flush, stop).
 *
 * Invariants:
 * - the signal abandons the caller's *wait*, never the operation: what relock has accepted (a
 *   start or a cancel sent to the timer, a write queued, a stop begun) goes on as if no signal
 *   had been given;
 * - a signal that is already aborted when the call is made rejects before the call does anything;
 * - an abort rejects with `signal.reason` (as `fetch` and `signal.throwIfAborted()` do: a
 *   `DOMException` named `AbortError` for `controller.abort()`, `TimeoutError` for
 *   `AbortSignal.timeout(ms)`, or the reason the host gave), at once, and the abandoned
 *   operation's own outcome is dropped (never an unhandled rejection);
 * - the argument is validated: anything but `undefined` or an object whose `signal` is absent or
 *   an `AbortSignal` is an `InvalidArgumentError` naming the field.
 */
import { InvalidArgumentError } from './errors.js';

/** The last, optional argument of a public call that waits. */
export interface CallOptions {
  /**
   * Abandons the wait: the call rejects with `signal.reason` as soon as it aborts. What relock
   * already accepted stays accepted (a start or cancel that was sent stays sent).
   */
  readonly signal?: AbortSignal;
}

/** The options a public call was given, checked; `field` names the argument in an error. */
export function parseCallOptions(value: unknown, field = 'options'): CallOptions {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(field, value, '{ signal?: AbortSignal }');
  }
  const signal = (value as { signal?: unknown }).signal;
  if (signal === undefined) return {};
  if (!(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError(`${field}.signal`, signal, 'an AbortSignal');
  }
  return { signal };
}

/**
 * Runs `operation` unless `signal` is already aborted, and waits for it until `signal` aborts:
 * then rejects with `signal.reason` and lets the operation go on unwatched.
 */
export async function abandonable<T>(signal: AbortSignal | undefined, operation: () => Promise<T>): Promise<T> {
  if (signal === undefined) return operation();
  signal.throwIfAborted();
  const running = operation();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([running, aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    // the operation's outcome after an abort is nobody's: never an unhandled rejection
    running.catch(() => {});
  }
}
