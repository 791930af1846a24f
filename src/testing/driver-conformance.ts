/**
 * A conformance check a host runs on its own lock driver before handing it to relock.
 *
 * Invariants:
 * - it only calls `driver.lock()`: for the lock the host names, for a lock that does not exist,
 *   with an already-aborted signal, and for two locks at once; it never needs relock's actors;
 * - every call is bounded by `timeoutMs` on the given clock, so the check itself never hangs;
 * - it reports every rule with a verdict and a detail; it throws nothing.
 */
import { type Clock, systemClock } from '../clock/clock.js';
import type { LockDriver, LockView } from '../ports/lock-driver.js';

export interface DriverCheckOptions {
  /** A lock the driver can lock (it will be locked, more than once). */
  readonly lock: LockView;
  /** A second lockable lock, for the concurrency rule; defaults to `lock`. */
  readonly otherLock?: LockView;
  /** A lock the host does not know: the driver must throw for it. */
  readonly unknownLock?: LockView;
  /** How long one call may take (default 30 000 ms, relock's default action timeout). */
  readonly timeoutMs?: number;
  readonly clock?: Clock;
}

export interface DriverCheck {
  readonly rule: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface DriverReport {
  readonly ok: boolean;
  readonly checks: readonly DriverCheck[];
}

type Outcome =
  | { readonly kind: 'resolved' }
  | { readonly kind: 'rejected'; readonly error: unknown }
  | { readonly kind: 'timeout' };

function settleWithin(work: () => Promise<void>, ms: number, clock: Clock): Promise<Outcome> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve({ kind: 'timeout' }), ms);
    let call: Promise<void>;
    try {
      call = Promise.resolve(work());
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      () => {
        clock.clearTimeout(timer);
        resolve({ kind: 'resolved' });
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        resolve({ kind: 'rejected', error });
      },
    );
  });
}

const describeOutcome = (outcome: Outcome): string =>
  outcome.kind === 'rejected'
    ? `rejected with ${outcome.error instanceof Error ? `${outcome.error.name}: ${outcome.error.message}` : typeof outcome.error}`
    : outcome.kind;

/** Runs every rule of the driver contract (see docs/driver-guide.md) against `driver`. */
export async function checkDriverConformance(driver: LockDriver, options: DriverCheckOptions): Promise<DriverReport> {
  const clock = options.clock ?? systemClock;
  const ms = options.timeoutMs ?? 30_000;
  const view = (lock: LockView): LockView => Object.freeze({ id: lock.id, name: lock.name });
  const call = (lock: LockView, signal = new AbortController().signal) =>
    settleWithin(() => driver.lock(view(lock), { signal }), ms, clock);
  const checks: DriverCheck[] = [];

  const first = await call(options.lock);
  checks.push({
    rule: 'locks a known lock and resolves within the timeout (without changing the lock it is given)',
    ok: first.kind === 'resolved',
    detail: describeOutcome(first),
  });

  if (options.unknownLock !== undefined) {
    const unknown = await call(options.unknownLock);
    checks.push({
      rule: 'throws an Error with a message for a lock it cannot command',
      ok: unknown.kind === 'rejected' && unknown.error instanceof Error && unknown.error.message !== '',
      detail: describeOutcome(unknown),
    });
  }

  const aborted = new AbortController();
  aborted.abort();
  const cancelled = await call(options.lock, aborted.signal);
  checks.push({
    rule: 'honours an aborted signal: rejects instead of sending the command',
    ok: cancelled.kind === 'rejected',
    detail: describeOutcome(cancelled),
  });

  const [a, b] = await Promise.all([call(options.lock), call(options.otherLock ?? options.lock)]);
  checks.push({
    rule: 'handles two commands at once',
    ok: a.kind === 'resolved' && b.kind === 'resolved',
    detail: `${describeOutcome(a)}, ${describeOutcome(b)}`,
  });

  return { ok: checks.every((check) => check.ok), checks };
}
