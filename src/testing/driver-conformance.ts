/**
 * A conformance check a host runs on its own lock driver before handing it to relock.
 *
 * Invariants:
 * - every rule of docs/driver-guide.md maps to one named check (`DRIVER_RULES`), reported in the
 *   guide's order, each with a verdict and a detail, whether it passed, failed or was skipped;
 * - it only calls `driver.lock()`, with views built as relock builds them (a fresh `{ id, name }`
 *   per call); it never needs relock's actors;
 * - every call is bounded by `timeoutMs` on the given clock (and a call aborted mid-flight by
 *   `abortGraceMs` from the abort), so the check itself never hangs: at most
 *   4 × `timeoutMs` + `abortGraceMs` of clock time; no timer of its own is left when it returns;
 * - it throws nothing, and no detail carries a PIN it knows of (digits are shown as `[PIN]`).
 */
import { type Clock, systemClock } from '../clock/clock.js';
import type { Pin } from '../model/pin.js';
import type { LockDriver, LockView } from '../ports/lock-driver.js';
import { DriverCall, describeError, describeOutcome, drainMicrotasks, type Outcome } from './driver-call.js';
import { collectPins, containsPin, pinCarriedBy, redactPins } from './pin-scan.js';

/** The rules of docs/driver-guide.md, by the id of the check that verifies each. */
export const DRIVER_RULES = {
  resolves: 'Resolve once your hub has accepted the lock command',
  'rejects-with-error': 'Throw an Error with a message when the command could not be sent',
  'abort-before-call': 'Honour signal: a call whose signal is already aborted rejects',
  'abort-mid-call': 'Honour signal: a call in flight rejects promptly once its signal aborts',
  'within-timeout': 'Take at most actionTimeoutMs',
  'view-unchanged': 'Do not change the lock object',
  concurrent: 'Be safe to call for several locks at once',
  'no-pin': 'Never log or return PINs; the driver never receives one',
} as const;

export type DriverCheckId = keyof typeof DRIVER_RULES;

export interface DriverCheckOptions {
  /** A lock the driver can lock (it will be locked, more than once). */
  readonly lock: LockView;
  /** A second lockable lock, for the concurrency rule; defaults to `lock`. */
  readonly otherLock?: LockView;
  /** A lock the host does not know: the driver must throw for it (without it that rule is skipped). */
  readonly unknownLock?: LockView;
  /** How long one call may take (default 30 000 ms, relock's default action timeout). */
  readonly timeoutMs?: number;
  /** How soon a call must settle once its signal aborts mid-flight (default 1 000 ms). */
  readonly abortGraceMs?: number;
  /**
   * The PINs of the locks under test, to make sure none reaches the driver or comes back in what
   * it returns or throws. PINs found in the locks given (a `Pin`, a code slot's `pin`) are added.
   */
  readonly pins?: readonly (string | Pin)[];
  /** Every bound is measured on this clock (default: the system clock). */
  readonly clock?: Clock;
}

export interface DriverCheck {
  /** The check's stable name (one per rule of the driver guide). */
  readonly id: DriverCheckId;
  /** The guide's rule, in words. */
  readonly rule: string;
  /** `false` only when the driver broke the rule; a skipped check is `ok`. */
  readonly ok: boolean;
  /** The check could not run (no `unknownLock`, or no call in flight to abort). */
  readonly skipped: boolean;
  /** What the driver did, in words. */
  readonly detail: string;
}

export interface DriverReport {
  /** Every check is `ok`. */
  readonly ok: boolean;
  /** One per rule, in the order of `DRIVER_RULES`. */
  readonly checks: readonly DriverCheck[];
}

interface Started {
  readonly call: DriverCall;
  /** The object handed to the driver. */
  readonly view: LockView;
  /** A copy the driver never sees, to compare `view` with. */
  readonly given: LockView;
}

interface Made extends Started {
  readonly label: string;
  readonly outcome: Outcome;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_ABORT_GRACE_MS = 1_000;

/** Runs every rule of the driver contract (see docs/driver-guide.md) against `driver`. */
export async function checkDriverConformance(driver: LockDriver, options: DriverCheckOptions): Promise<DriverReport> {
  const clock = options.clock ?? systemClock;
  const ms = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const grace = Math.min(options.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS, ms);
  const { pins, ignored } = collectPins([options.lock, options.otherLock, options.unknownLock], options.pins ?? []);
  const made: Made[] = [];
  const verdicts = new Map<DriverCheckId, Omit<DriverCheck, 'id' | 'rule'>>();
  const judge = (id: DriverCheckId, ok: boolean, detail: string): void => {
    verdicts.set(id, { ok, skipped: false, detail });
  };
  const skip = (id: DriverCheckId, detail: string): void => {
    verdicts.set(id, { ok: true, skipped: true, detail });
  };

  const start = (lock: LockView, signal?: AbortSignal): Started => {
    // as relock passes it: a fresh, plain `{ id, name }` for every call
    const view: LockView = { id: lock.id, name: lock.name };
    const given: LockView = { id: lock.id, name: lock.name };
    return { call: new DriverCall(driver, view, ms, clock, signal), view, given };
  };
  const finish = async (label: string, started: Started): Promise<Outcome> => {
    const outcome = await started.call.outcome;
    made.push({ ...started, label, outcome });
    return outcome;
  };
  const call = (label: string, lock: LockView, signal?: AbortSignal): Promise<Outcome> =>
    finish(label, start(lock, signal));

  // resolves
  const known = await call('the known lock', options.lock);
  judge('resolves', known.kind === 'resolved', describeOutcome(known));

  // rejects-with-error
  if (options.unknownLock === undefined) {
    skip('rejects-with-error', 'skipped: no unknownLock given');
  } else {
    const unknown = await call('the unknown lock', options.unknownLock);
    const failedWell =
      (unknown.kind === 'rejected' || unknown.kind === 'threw') &&
      unknown.error instanceof Error &&
      unknown.error.message !== '';
    const detail = describeOutcome(unknown);
    judge(
      'rejects-with-error',
      failedWell,
      unknown.kind === 'threw' && failedWell ? `${detail} (relock treats it as a rejection)` : detail,
    );
  }

  // abort-before-call
  const aborted = new AbortController();
  aborted.abort();
  const early = await call('an already-aborted signal', options.lock, aborted.signal);
  judge('abort-before-call', early.kind === 'rejected' || early.kind === 'threw', describeOutcome(early));

  // abort-mid-call: abort once the driver's synchronous work and pending promise callbacks have
  // run, before any timer or I/O of it can complete
  const inFlight = start(options.lock);
  await drainMicrotasks();
  if (inFlight.call.settled) {
    const outcome = await finish('a call aborted in flight', inFlight);
    skip('abort-mid-call', `skipped: the call ${describeOutcome(outcome)} before it could be aborted`);
  } else {
    inFlight.call.rebound(grace, 'abort-grace');
    const abortedAt = clock.now();
    inFlight.call.controller.abort();
    const outcome = await finish('a call aborted in flight', inFlight);
    const after = `${outcome.at - abortedAt} ms after the signal aborted`;
    if (outcome.kind === 'rejected') {
      judge('abort-mid-call', true, `rejected with ${describeError(outcome.error)}, ${after}`);
    } else if (outcome.kind === 'resolved') {
      judge('abort-mid-call', false, `resolved ${after}: the command went on although relock had abandoned it`);
    } else {
      judge('abort-mid-call', false, describeOutcome(outcome));
    }
  }

  // concurrent
  const [a, b] = await Promise.all([
    call('the first of two calls at once', options.lock),
    call('the second of two calls at once', options.otherLock ?? options.lock),
  ]);
  judge('concurrent', a.kind === 'resolved' && b.kind === 'resolved', `${describeOutcome(a)}; ${describeOutcome(b)}`);

  // within-timeout
  const slow = made.filter(({ outcome }) => outcome.kind === 'timeout' && outcome.bound === 'timeout');
  if (slow.length === 0) judge('within-timeout', true, `all ${made.length} calls settled within ${ms} ms`);
  else judge('within-timeout', false, `no answer within ${ms} ms from ${slow.map(({ label }) => label).join(', ')}`);

  // view-unchanged (compared once every call has settled or run out of time)
  const changed = made.flatMap(({ label, view, given }) => {
    const how = changesTo(view, given);
    return how === undefined ? [] : [`${label}: ${how}`];
  });
  if (changed.length === 0) judge('view-unchanged', true, `all ${made.length} views were left as they were given`);
  else judge('view-unchanged', false, `the driver changed the lock it was given (${changed.join('; ')})`);

  // no-pin
  const leaks = made.flatMap(({ label, given, outcome }) => {
    const found: string[] = [];
    for (const field of ['id', 'name'] as const) {
      // what the driver received (its copy; the driver may have changed the view since)
      const value: unknown = given[field];
      if (typeof value !== 'string') found.push(`the ${field} of ${label} given to the driver is not a string`);
      else if (containsPin(value, pins)) found.push(`the ${field} of ${label} given to the driver holds a PIN`);
    }
    const answer = outcome.kind === 'resolved' ? outcome.value : outcome.kind === 'timeout' ? undefined : outcome.error;
    const carried = pinCarriedBy(answer, pins);
    if (carried !== undefined) {
      const how = outcome.kind === 'resolved' ? 'returned' : outcome.kind === 'rejected' ? 'rejected with' : 'threw';
      found.push(`what the driver ${how} for ${label} holds ${carried}`);
    }
    return found;
  });
  const searched = pins.length === 0 ? 'no PIN known: give `pins`' : `searched for ${pins.length} PIN(s)`;
  const ignoredNote = ignored === 0 ? '' : `; ${ignored} entries of pins ignored (not 4 to 10 digits)`;
  if (leaks.length === 0) {
    judge(
      'no-pin',
      true,
      `every view was { id, name } of strings; nothing came back with a PIN (${searched}${ignoredNote})`,
    );
  } else {
    judge('no-pin', false, `${[...new Set(leaks)].join('; ')} (digits not shown)`);
  }

  const checks = (Object.keys(DRIVER_RULES) as DriverCheckId[]).map((id): DriverCheck => {
    const verdict = verdicts.get(id) ?? { ok: false, skipped: false, detail: 'not run' };
    return { id, rule: DRIVER_RULES[id], ...verdict, detail: redactPins(verdict.detail, pins) };
  });
  return { ok: checks.every((check) => check.ok), checks };
}

/** How `view` differs from `given`, in words naming fields only; `undefined` when it does not. */
function changesTo(view: LockView, given: LockView): string | undefined {
  const changes: string[] = [];
  if (Object.getPrototypeOf(view) !== Object.prototype) changes.push('its prototype was replaced');
  const keys = Reflect.ownKeys(view);
  for (const key of keys) {
    if (key !== 'id' && key !== 'name') changes.push(`${String(key)} added`);
  }
  for (const field of ['id', 'name'] as const) {
    const descriptor = Reflect.getOwnPropertyDescriptor(view, field);
    if (descriptor === undefined) changes.push(`${field} deleted`);
    else if (!('value' in descriptor) || descriptor.value !== given[field]) changes.push(`${field} changed`);
  }
  return changes.length === 0 ? undefined : changes.join(', ');
}
