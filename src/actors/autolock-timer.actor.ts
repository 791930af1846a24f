/**
 * The autolock timer actor: the timer statechart given a clock, a timer store and a fire action,
 * and the awaitable API the coordinator and hosts use.
 *
 * Invariants:
 * - every time read is `deps.clock.now()`; every delay runs on the actor system's clock;
 * - the fire resolves its lock when it fires, through `deps.fire`, never from a captured lock;
 * - `start()` refuses until recovery has finished and resolves once the entry is durable (or
 *   rejects with the store's error while the timer, already counting down, keeps retrying);
 * - `cancel()` resolves only after an in-flight fire has ended and the entry's removal is durable;
 *   after it resolves the timer is not running and nothing fires (unless it is started again);
 *   a failing removal rejects it with the store's error while the removal is retried;
 * - the deadline is checked against `deps.clock.now()` at least every `deadlineCheckMs`, so a
 *   wall-clock step moves the fire with it (late by at most one check period);
 * - a duration is a whole number of seconds up to `MAX_AUTOLOCK_SECONDS`;
 * - the retry policy (attempts, backoff, confirmation, warning) is read from `deps.policyOf` when
 *   it is needed, so a reload's new settings apply to the next step of a running cycle; without
 *   one, the timer behaves as upstream's: one command, no confirmation, no warning.
 */
import { type ActorRefFrom, type AnyActorRef, assign, createActor } from 'xstate';
import type { Clock } from '../clock/clock.js';
import {
  InvalidArgumentError,
  NoCountdownError,
  StoreError,
  type StoreOperation,
  TimerNotRecoveredError,
} from '../errors.js';
import type { FireOutcome, RelockEventData } from '../events.js';
import {
  type AutolockTimerContext,
  type AutolockTimerEmitted,
  type AutolockTimerEvent,
  autolockTimerMachine,
  recoveredEntry,
} from '../machines/autolock-timer.machine.js';
import { createTimerEntry, entryStartingAt, type TimerEntry, type TimerStage } from '../persistence/timer-entry.js';
import type { TimerStore } from '../persistence/timer-store.js';
import { type AutolockTimerSnapshot, phaseOf, type TimerStatus, timerStatus } from '../status/timer-status.js';
import { SnapshotWaiters } from './snapshot-waiters.js';

export type { AutolockTimerSnapshot, TimerState, TimerStatus } from '../status/timer-status.js';

export interface FireRequest {
  readonly lockId: string;
  readonly entry: TimerEntry;
  /** Which lock command of the cycle this is (1 for the first). */
  readonly attempt: number;
  /** Aborted when the fire is abandoned (timeout, system stop). */
  readonly signal: AbortSignal;
}

/** Performs one autolock: resolves the live lock and locks it, or says why it did not. */
export type FireFunction = (request: FireRequest) => Promise<FireOutcome>;

/** What a lock asks of its autolock cycle beyond the countdown (from its autolock settings). */
export interface AutolockPolicy {
  /** Lock commands per cycle, the first included. */
  readonly maxAttempts: number;
  /** Wait before the first retry; doubled for each later one, at most `MAX_RETRY_DELAY_SECONDS`. */
  readonly retryDelaySeconds: number;
  /** How long an accepted command waits for a `locked` report; null: accepted is done. */
  readonly confirmSeconds: number | null;
  /** Seconds before the first command at which `warning` is emitted; 0: none. */
  readonly warnSeconds: number;
}

/** Upstream's autolock: one command, no confirmation, no warning (a timer given no policy). */
export const UPSTREAM_POLICY: AutolockPolicy = Object.freeze({
  maxAttempts: 1,
  retryDelaySeconds: 30,
  confirmSeconds: null,
  warnSeconds: 0,
});

/** The longest wait between two attempts: an hour. */
export const MAX_RETRY_DELAY_SECONDS = 3600;

/** The wait after failed attempt `attempt` (1-based) before the next one. */
export function retryDelayMs(policy: AutolockPolicy, attempt: number): number {
  const seconds = policy.retryDelaySeconds * 2 ** Math.max(0, Math.min(attempt - 1, 30));
  return Math.min(MAX_RETRY_DELAY_SECONDS, seconds) * 1000;
}

export interface AutolockTimerDeps {
  readonly clock: Clock;
  readonly timers: TimerStore;
  readonly fire: FireFunction;
  /** The lock's policy, read when a step needs it; default `UPSTREAM_POLICY`. */
  readonly policyOf?: (lockId: string) => AutolockPolicy;
  /** How long a lock action may take before it counts as failed (default 30 s). */
  readonly actionTimeoutMs?: number;
  /** Longest wait between two looks at the wall clock while counting down (default 30 s). */
  readonly deadlineCheckMs?: number;
}

/** The longest autolock relock accepts: 366 days, in seconds. */
export const MAX_AUTOLOCK_SECONDS = 366 * 24 * 3600;

/** Default longest wait between two looks at the wall clock while an autolock counts down. */
export const DEADLINE_CHECK_MS = 30_000;

/** The timer machine with relock's implementations of its clock, store and fire. */
export function provideAutolockTimer(deps: AutolockTimerDeps) {
  const cached = providedLogic.get(deps);
  if (cached !== undefined) return cached;
  const logic = buildAutolockTimer(deps);
  providedLogic.set(deps, logic);
  return logic;
}

function buildAutolockTimer(deps: AutolockTimerDeps) {
  const { clock, timers } = deps;
  const checkMs = deps.deadlineCheckMs ?? DEADLINE_CHECK_MS;
  const policyOf = deps.policyOf ?? (() => UPSTREAM_POLICY);
  /** When the countdown's warning is due, if one is still to come. */
  const warningAt = (context: AutolockTimerContext): number | undefined => {
    const entry = context.entry;
    if (entry === null || context.warned || entry.stage !== 'countdown') return undefined;
    const { warnSeconds } = policyOf(context.lockId);
    if (warnSeconds <= 0 || entry.durationSeconds <= warnSeconds) return undefined;
    return entry.endsAt - warnSeconds * 1000;
  };
  const stepEntry = (context: AutolockTimerContext, stage: TimerStage, endsAt: number): TimerEntry =>
    createTimerEntry({
      endsAt,
      durationSeconds: context.entry?.durationSeconds ?? 0,
      stage,
      attempt: Math.max(1, context.attempt),
    });
  /** The signal of each timer's fire in flight, aborted when its `firing` state is left. */
  const fires = new WeakMap<AnyActorRef, AbortController>();
  /**
   * Sends a request's answer back to the timer as an event, unless a newer request was made since
   * (the answer is stale) or the timer has stopped. A call that throws answers as a failure.
   */
  const request = <T>(
    self: AnyActorRef,
    seq: number,
    call: () => Promise<T>,
    done: (value: T) => AutolockTimerEvent,
    failed: (error: string) => AutolockTimerEvent,
  ): void => {
    // made after the timer's transition, as an invoked actor would start: a fire's own events
    // (a deferral, a lock command) come after the timer's `attempt`
    const pending = Promise.resolve().then(call);
    const reply = (event: AutolockTimerEvent) => {
      const now = self.getSnapshot() as AutolockTimerSnapshot;
      if (now.status === 'active' && now.context.requestSeq === seq) self.send(event);
    };
    pending.then(
      (value) => reply(done(value)),
      (error: unknown) => reply(failed(error instanceof Error ? error.message : String(error))),
    );
  };
  return autolockTimerMachine.provide({
    actions: {
      requestRead: ({ context, self }) =>
        request(
          self,
          context.requestSeq,
          () => timers.read(context.lockId),
          (entry) => ({ type: 'STORE_DONE', seq: context.requestSeq, entry }),
          (error) => ({ type: 'STORE_FAILED', seq: context.requestSeq, error }),
        ),
      requestWrite: ({ context, self }) =>
        request(
          self,
          context.requestSeq,
          () => timers.write(context.lockId, context.entry as TimerEntry),
          () => ({ type: 'STORE_DONE', seq: context.requestSeq }),
          (error) => ({ type: 'STORE_FAILED', seq: context.requestSeq, error }),
        ),
      requestRemove: ({ context, self }) =>
        request(
          self,
          context.requestSeq,
          () => timers.remove(context.lockId),
          () => ({ type: 'STORE_DONE', seq: context.requestSeq }),
          (error) => ({ type: 'STORE_FAILED', seq: context.requestSeq, error }),
        ),
      requestFire: ({ context, self }) => {
        const abort = new AbortController();
        fires.set(self, abort);
        const { lockId, attempt, requestSeq: seq } = context;
        const entry = context.entry as TimerEntry;
        // a fire that has answered is not aborted when firing is left (an abort costs a DOMException)
        const answered = () => {
          if (fires.get(self) === abort) fires.delete(self);
        };
        request(
          self,
          seq,
          () => deps.fire({ lockId, entry, attempt, signal: abort.signal }),
          (outcome) => {
            answered();
            return { type: 'FIRE_DONE', seq, outcome };
          },
          (error) => {
            answered();
            return { type: 'FIRE_FAILED', seq, error };
          },
        );
      },
      abortFire: ({ self }) => {
        fires.get(self)?.abort();
        fires.delete(self);
      },
      removeEntryOnce: ({ context }) => {
        // reported by the persistence actor when it fails; nothing is left to retry it
        timers.remove(context.lockId).catch(() => {});
      },
      writeEntryOnce: ({ context }) => {
        if (context.entry !== null) timers.write(context.lockId, context.entry).catch(() => {});
      },
      settleRecoveredEntry: assign(({ context }) => {
        const entry = context.entry;
        const now = clock.now();
        if (entry === null || entry.stage === 'countdown') {
          const at = warningAt(context);
          return { warned: at !== undefined && at <= now };
        }
        const policy = policyOf(context.lockId);
        const longest =
          entry.stage === 'confirm' ? (policy.confirmSeconds ?? 0) * 1000 : retryDelayMs(policy, entry.attempt);
        return entry.endsAt <= now + longest ? {} : { entry: { ...entry, endsAt: now + longest } };
      }),
      armEntry: assign(({ context, event }) => ({
        entry: entryStartingAt(
          clock.now(),
          event.type === 'START' ? event.durationSeconds : (context.pendingStart ?? 0),
        ),
        attempt: 0,
        pendingStart: null,
        cancelRequested: false,
        warned: false,
      })),
      armRetryEntry: assign(({ context }) => ({
        entry: stepEntry(context, 'retry', clock.now() + retryDelayMs(policyOf(context.lockId), context.attempt)),
      })),
      armConfirmEntry: assign(({ context }) => ({
        entry: stepEntry(context, 'confirm', clock.now() + (policyOf(context.lockId).confirmSeconds ?? 0) * 1000),
      })),
      keepForReplay: assign(({ context }) => ({
        entry: createTimerEntry({
          endsAt: Math.min(context.entry?.endsAt ?? clock.now(), clock.now()),
          durationSeconds: context.entry?.durationSeconds ?? 0,
        }),
      })),
    },
    guards: {
      foundOverdueEntry: ({ context, event }) => {
        const entry = recoveredEntry(event);
        if (entry === null || entry.stage === 'confirm' || entry.endsAt > clock.now()) return false;
        // a retry beyond the lock's attempts is not sent: it goes to `retrying`, which gives up at once
        return entry.stage === 'countdown' || entry.attempt < policyOf(context.lockId).maxAttempts;
      },
      deadlineReached: ({ context }) => context.entry === null || context.entry.endsAt <= clock.now(),
      warningDue: ({ context }) => {
        const at = warningAt(context);
        return at !== undefined && at <= clock.now();
      },
      attemptsLeft: ({ context }) => context.attempt < policyOf(context.lockId).maxAttempts,
      confirmationWaived: ({ context }) => policyOf(context.lockId).confirmSeconds === null,
      awaitsConfirmation: ({ context, event }) =>
        (event as { outcome?: FireOutcome }).outcome === 'locked' && policyOf(context.lockId).confirmSeconds !== null,
    },
    delays: {
      untilDeadline: ({ context }) => {
        const now = clock.now();
        const next = Math.min(context.entry?.endsAt ?? 0, warningAt(context) ?? Number.POSITIVE_INFINITY);
        const left = next - now;
        // a clock whose now() is not a number must not make the deadline fire early or never
        if (!Number.isFinite(left)) return checkMs;
        return Math.min(checkMs, Math.max(0, left));
      },
      actionTimeout: deps.actionTimeoutMs ?? 30_000,
    },
  });
}

export type AutolockTimerLogic = ReturnType<typeof buildAutolockTimer>;

/** `.provide()` builds a whole machine: one per set of deps, shared by all the timers using it. */
const providedLogic = new WeakMap<AutolockTimerDeps, AutolockTimerLogic>();
export type AutolockTimerActorRef = ActorRefFrom<AutolockTimerLogic>;

/** The phases in which a cycle's next command is coming (not counting a fire, which depends on held requests). */
const COMING_PHASES = ['arming', 'active', 'retrying', 'confirming'] as const;

/** The store operation each phase retries in its `backoff` child. */
const RETRIED_IN_BACKOFF: Record<string, StoreOperation> = {
  arming: 'write',
  retrying: 'write',
  confirming: 'write',
  failed: 'write',
  held: 'write',
  clearing: 'remove',
  recovering: 'read',
};

/** The store operation the timer is waiting to retry, if it is in a backoff. */
function backoffOperation(snapshot: AutolockTimerSnapshot): StoreOperation | undefined {
  const value = snapshot.value;
  if (typeof value === 'string') return undefined;
  const [phase, child] = Object.entries(value)[0] ?? [];
  return child === 'backoff' && phase !== undefined ? RETRIED_IN_BACKOFF[phase] : undefined;
}

/** States in which the timer waits on its clock alone (or has nothing to do). */
const RESTING = [
  'fresh',
  'done',
  'active',
  'retired',
  { retrying: 'saved' },
  { confirming: 'saved' },
  { failed: 'kept' },
  { held: 'kept' },
] as const;

function atRest(snapshot: AutolockTimerSnapshot): boolean {
  return inBackoff(snapshot) || RESTING.some((state) => snapshot.matches(state as never));
}

function inBackoff(snapshot: AutolockTimerSnapshot): boolean {
  return backoffOperation(snapshot) !== undefined;
}

/**
 * The store failures a call counts from: a call made while the timer already waits out a store
 * failure is answered with it at once (waiting for the next retry would need time to pass).
 */
function failuresBefore(snapshot: AutolockTimerSnapshot): number {
  return snapshot.context.storeFailures - (inBackoff(snapshot) ? 1 : 0);
}

/**
 * Which store operation is failing, when the timer waits in a backoff after more store failures
 * than `failures` (it retries on its own); undefined otherwise.
 */
function storeTrouble(snapshot: AutolockTimerSnapshot, failures: number): StoreOperation | undefined {
  return snapshot.context.storeFailures > failures ? backoffOperation(snapshot) : undefined;
}

export function validateDuration(durationSeconds: unknown, field = 'durationSeconds'): number {
  if (
    typeof durationSeconds !== 'number' ||
    !Number.isInteger(durationSeconds) ||
    durationSeconds < 0 ||
    durationSeconds > MAX_AUTOLOCK_SECONDS
  ) {
    throw new InvalidArgumentError(
      field,
      durationSeconds,
      `a whole number of seconds from 0 to ${MAX_AUTOLOCK_SECONDS} (366 days)`,
    );
  }
  return durationSeconds;
}

export interface CreateAutolockTimerOptions {
  readonly lockId: string;
  readonly deps: AutolockTimerDeps;
  /** Joins an existing actor system under this parent (its clock is then the system's). */
  readonly parent?: AnyActorRef;
  readonly systemId?: string;
}

/** One lock's autolock timer. */
export class AutolockTimer {
  readonly lockId: string;
  readonly actor: AutolockTimerActorRef;
  readonly #clock: Clock;
  readonly #timers: TimerStore;
  /** One subscription for every caller awaiting this timer: a burst of calls costs linear work. */
  readonly #waiters: SnapshotWaiters<AutolockTimerSnapshot>;

  constructor(options: CreateAutolockTimerOptions) {
    this.lockId = options.lockId;
    this.#clock = options.deps.clock;
    this.#timers = options.deps.timers;
    this.actor = createActor(provideAutolockTimer(options.deps), {
      input: { lockId: options.lockId },
      ...(options.parent ? { parent: options.parent } : { clock: options.deps.clock }),
      ...(options.systemId ? { systemId: options.systemId } : {}),
    });
    this.#waiters = new SnapshotWaiters(this.actor);
    this.actor.start();
  }

  #send(event: AutolockTimerEvent): void {
    this.actor.send(event);
  }

  status(): TimerStatus {
    return timerStatus(this.actor.getSnapshot(), this.#clock.now());
  }

  /**
   * Whether an autolock of this cycle is still coming: counting down, or firing with no cancel
   * held (a fire under a held cancel ends the cycle), or about to re-arm from a held start.
   */
  hasAutolockComing(): boolean {
    const snapshot = this.actor.getSnapshot();
    if (COMING_PHASES.some((phase) => snapshot.matches(phase))) return true;
    if (snapshot.matches('firing')) return !snapshot.context.cancelRequested || snapshot.context.pendingStart !== null;
    return snapshot.matches('clearing') && snapshot.context.pendingStart !== null;
  }

  /** Reads the stored entry and resumes it; resolves once recovery has decided. */
  async recover(): Promise<void> {
    this.#send({ type: 'RECOVER' });
    await this.#waiters.until('recovered', (s) => !s.matches('fresh') && !s.matches('recovering'));
  }

  /** Recovers from an entry the caller has already read from the timer store (`null`: none). */
  resume(entry: TimerEntry | null): void {
    this.#send({ type: 'RECOVERED', entry });
  }

  /** Arms (or re-arms) the autolock; resolves once the entry is durable. */
  async start(durationSeconds: number): Promise<void> {
    validateDuration(durationSeconds);
    const before = this.actor.getSnapshot();
    if (before.matches('fresh') || before.matches('recovering')) throw new TimerNotRecoveredError(this.lockId);
    const failures = failuresBefore(before);
    this.#send({ type: 'START', durationSeconds });
    const after = await this.#waiters.until(
      `start after ${failures} store failures`,
      (s) =>
        storeTrouble(s, failures) !== undefined ||
        !(s.matches('arming') || s.matches('firing') || s.matches('clearing')),
    );
    this.#throwStoreTrouble(after, failures);
  }

  /**
   * Pushes the running countdown's end `seconds` later; resolves once the new end is durable.
   * Refuses (`NoCountdownError`) when no countdown runs: a retry, a confirmation or a fire is not
   * extended.
   */
  async extend(seconds: number): Promise<void> {
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_AUTOLOCK_SECONDS) {
      throw new InvalidArgumentError('seconds', seconds, `a whole number of seconds from 1 to ${MAX_AUTOLOCK_SECONDS}`);
    }
    const before = this.actor.getSnapshot();
    const entry = before.context.entry;
    if (!(before.matches('arming') || before.matches('active')) || entry === null) {
      throw new NoCountdownError(this.lockId, phaseOf(before));
    }
    const total = Math.ceil((entry.endsAt - this.#clock.now()) / 1000) + seconds;
    if (total > MAX_AUTOLOCK_SECONDS) {
      throw new InvalidArgumentError(
        'seconds',
        seconds,
        `at most ${MAX_AUTOLOCK_SECONDS - (total - seconds)} (the countdown may not end more than 366 days from now)`,
      );
    }
    const failures = failuresBefore(before);
    this.#send({ type: 'EXTEND', seconds });
    const after = await this.#waiters.until(
      `extend after ${failures} store failures`,
      (s) => storeTrouble(s, failures) !== undefined || !(s.matches('arming') || s.matches('firing')),
    );
    this.#throwStoreTrouble(after, failures);
  }

  /** The lock reported jammed: a command waiting to be confirmed or retried is held. */
  jammed(): void {
    this.#send({ type: 'JAMMED' });
  }

  /** The lock reported locked or unlocked after a jam: a fire in flight is no longer held by it. */
  unjammed(): void {
    this.#send({ type: 'UNJAMMED' });
  }

  /** The store's error, when a wait ended because the store failed again (the timer retries on its own). */
  #throwStoreTrouble(snapshot: AutolockTimerSnapshot, failures: number): void {
    const operation = storeTrouble(snapshot, failures);
    if (operation === undefined) return;
    throw new StoreError(
      operation,
      this.#timers.key(this.lockId),
      new Error(snapshot.context.lastError ?? 'unknown error'),
    );
  }

  /** Stops this timer for good; a stored entry stays for the next system to replay. */
  retire(): void {
    this.#send({ type: 'RETIRE' });
  }

  /**
   * Resolves when nothing of this timer is in flight: no fire, no store call (a step waiting out
   * a store failure counts as at rest). Before a lock moves to another process, so the next owner
   * reads the outcome of every fire this one sent.
   */
  async settled(): Promise<void> {
    await this.#waiters.until('settled', (s) => s.status !== 'active' || atRest(s));
  }

  /**
   * Cancels the autolock; resolves after any in-flight fire has ended and the entry is gone
   * from the store. Rejects with the store's error when the removal fails (it is retried).
   */
  async cancel(options: { locked?: boolean } = {}): Promise<void> {
    const failures = failuresBefore(this.actor.getSnapshot());
    this.#send({ type: 'CANCEL', locked: options.locked === true });
    const after = await this.#waiters.until(
      `cancel after ${failures} store failures`,
      (s) =>
        storeTrouble(s, failures) !== undefined ||
        !(s.matches('firing') || s.matches('clearing') || s.matches('recovering')),
    );
    // the cancel stands (held through recovery, or the removal retried); the caller learns it is not durable yet
    this.#throwStoreTrouble(after, failures);
  }
}

/** A fire that looks the lock up at fire time and reports `missing` when it is gone. */
export function fireOnLiveLock<L>(
  resolve: (lockId: string) => L | undefined,
  act: (lock: L, request: FireRequest) => Promise<FireOutcome>,
): FireFunction {
  return async (request) => {
    const lock = resolve(request.lockId);
    if (lock === undefined) return 'missing';
    return act(lock, request);
  };
}

/** A timer's emitted event as the public event it is reported as; `attempts`: the lock's maximum. */
export function toRelockEvent(event: AutolockTimerEmitted, attempts: number): RelockEventData {
  switch (event.type) {
    case 'started':
      return {
        type: 'autolock.started',
        lockId: event.lockId,
        endsAt: event.endsAt,
        durationSeconds: event.durationSeconds,
        recovered: event.recovered,
        stage: event.stage,
      };
    case 'warning':
      return { type: 'autolock.warning', lockId: event.lockId, endsAt: event.endsAt };
    case 'attempt':
      return { type: 'autolock.attempt', lockId: event.lockId, attempt: event.attempt, attempts };
    case 'cancelled':
      return { type: 'autolock.cancelled', lockId: event.lockId };
    case 'fired':
      return {
        type: 'autolock.fired',
        lockId: event.lockId,
        outcome: event.outcome,
        attempt: event.attempt,
        awaitingConfirmation: event.awaitingConfirmation,
      };
    case 'confirmed':
      return { type: 'autolock.confirmed', lockId: event.lockId, attempt: event.attempt };
    case 'failed':
      return {
        type: 'autolock.failed',
        lockId: event.lockId,
        reason: event.reason,
        attempt: event.attempt,
        attempts,
        unconfirmed: event.unconfirmed,
        nextAttemptAt: event.nextAttemptAt,
        keptForReplay: event.keptForReplay,
      };
    case 'held':
      return { type: 'autolock.held', lockId: event.lockId, reason: 'jammed' };
  }
}
