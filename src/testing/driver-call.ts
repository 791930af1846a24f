/**
 * One bounded call of a driver's `lock()`, as the conformance check makes it.
 *
 * Invariants:
 * - the call is bounded on the given clock: `outcome` always settles, at the latest when the bound
 *   passes; a call still pending then has its signal aborted (as relock aborts a command after
 *   `actionTimeoutMs`) and is reported as a timeout;
 * - a synchronous throw is told apart from a rejection, and a non-promise return from a promise;
 * - once `outcome` has settled no timer of the call is left on the clock;
 * - it never throws, whatever the driver does.
 */
import type { Clock, TimerHandle } from '../clock/clock.js';
import type { LockDriver, LockView } from '../ports/lock-driver.js';

/** Which bound a call ran out of: the check's `timeoutMs`, or the grace after an abort. */
export type Bound = 'timeout' | 'abort-grace';

export type Outcome =
  | { readonly kind: 'resolved'; readonly value: unknown; readonly promise: boolean; readonly at: number }
  | { readonly kind: 'rejected'; readonly error: unknown; readonly at: number }
  | { readonly kind: 'threw'; readonly error: unknown; readonly at: number }
  | { readonly kind: 'timeout'; readonly bound: Bound; readonly afterMs: number; readonly at: number };

export class DriverCall {
  /** Settles once the driver answers or the bound passes; never rejects. */
  readonly outcome: Promise<Outcome>;
  readonly controller = new AbortController();
  readonly #clock: Clock;
  #timer: TimerHandle | undefined;
  #done = false;
  #finish!: (outcome: Outcome) => void;

  constructor(driver: LockDriver, view: LockView, ms: number, clock: Clock, signal?: AbortSignal) {
    this.#clock = clock;
    if (signal?.aborted) this.controller.abort(signal.reason);
    this.outcome = new Promise<Outcome>((resolve) => {
      this.#finish = (outcome) => {
        if (this.#done) return;
        this.#done = true;
        if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
        this.#timer = undefined;
        resolve(outcome);
      };
    });
    this.rebound(ms, 'timeout');
    let returned: unknown;
    try {
      returned = driver.lock(view, { signal: this.controller.signal });
    } catch (error) {
      this.#finish({ kind: 'threw', error, at: clock.now() });
      return;
    }
    const promise = isThenable(returned);
    Promise.resolve(returned).then(
      (value: unknown) => this.#finish({ kind: 'resolved', value, promise, at: clock.now() }),
      (error: unknown) => this.#finish({ kind: 'rejected', error, at: clock.now() }),
    );
  }

  /** Whether the call has an outcome yet. */
  get settled(): boolean {
    return this.#done;
  }

  /** Replaces the call's remaining bound with `ms` from now. */
  rebound(ms: number, bound: Bound): void {
    if (this.#done) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      if (!this.controller.signal.aborted) {
        this.controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError'));
      }
      this.#finish({ kind: 'timeout', bound, afterMs: ms, at: this.#clock.now() });
    }, ms);
  }
}

function isThenable(value: unknown): boolean {
  try {
    return (
      (typeof value === 'object' || typeof value === 'function') &&
      value !== null &&
      typeof (value as { then?: unknown }).then === 'function'
    );
  } catch {
    return false;
  }
}

/** Lets the driver's pending promise callbacks run (no timer, no I/O can complete meanwhile). */
export async function drainMicrotasks(rounds = 32): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** A short account of an outcome, naming an error's class and message, never a value's content. */
export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'resolved':
      return outcome.promise ? 'resolved' : 'resolved (returned a value that is not a promise)';
    case 'rejected':
      return `rejected with ${describeError(outcome.error)}`;
    case 'threw':
      return `threw synchronously ${describeError(outcome.error)}`;
    case 'timeout':
      return outcome.bound === 'timeout'
        ? `timeout: no answer within ${outcome.afterMs} ms`
        : `timeout: still pending ${outcome.afterMs} ms after the signal aborted`;
  }
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) {
    const kind = error === null ? 'null' : typeof error;
    return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}, not an Error`;
  }
  return error.message === '' ? `${error.name} with an empty message` : `${error.name}: ${error.message}`;
}
