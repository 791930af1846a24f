/**
 * The public entry point: `createRelock(options)` builds one relock system.
 *
 * Invariants:
 * - every option and argument is validated at this edge; a bad one raises `InvalidArgumentError`
 *   naming the field and the value (never a PIN), before any actor sees it;
 * - every time read and delay uses `options.clock` (the system clock by default);
 * - after `stop()` resolves, every pending write is durable (or reported failed), every actor is
 *   stopped, and every further call rejects with `SystemStoppedError`;
 * - a shared store (a Keyv, a `sqlite://` file) is claimed before any lock is added and released
 *   at `stop()` after every actor has stopped (`store-owner.ts`); a store in use by another system
 *   refuses the start with `StoreInUseError`; a system that loses its claim sends no further lock
 *   command, emits `store.lost` and stops;
 * - the root actor (`relock.actor`) is the one to hand to the Stately inspector; `options.inspect`
 *   is passed straight to it;
 * - `await using relock = await createRelock(…)` stops the system when the scope ends
 *   (`Symbol.asyncDispose` is `stop()`: the same promise, so disposing after a stop is a no-op);
 * - the calls that wait (start, extend, cancel, flush, stop) take `{ signal }`: an abort abandons
 *   the wait, not the operation (`call-options.ts`);
 * - every event gets its `at` from the (guarded) injected clock, in the event hub.
 */
import type Keyv from 'keyv';
import type { InspectionEvent, Observer } from 'xstate';
import { waitFor } from 'xstate';
import { ask } from './actors/ask.js';
import { validateDuration } from './actors/autolock-timer.actor.js';
import { type CoordinatorActorRef, startCoordinator } from './actors/coordinator.actor.js';
import { autolockDurationSeconds } from './actors/lock.actor.js';
import type { LockRegistry, RegistryDeps } from './actors/lock-registry.js';
import { Notifications } from './actors/notifications.js';
import { ReportBuffer } from './actors/report-buffer.js';
import { abandonable, type CallOptions, parseCallOptions } from './call-options.js';
import { type Clock, systemClock } from './clock/clock.js';
import { InvalidArgumentError, LockNotFoundError, SystemStoppedError } from './errors.js';
import { EventHub, type EventListener, type RelockEvent } from './events.js';
import { consoleLogger, type Logger, safeLogger } from './logger.js';
import type { LockEvent } from './machines/lock.machine.js';
import {
  type AutolockSettingsInput,
  checkDoorMode,
  type LockConfigInput,
  parseAutolockSettings,
  parseLockConfig,
  parseLockConfigs,
  validateLockId,
} from './model/lock-config.js';
import { type DoorState, isDoorState, isLockState, type LockState } from './model/lock-runtime.js';
import { createKeyvStore, type StoreOption } from './persistence/keyv-store.js';
import type { Persistence } from './persistence/persistence-contract.js';
import { describeStore, StoreOwner, validateStoreLeaseMs } from './persistence/store-owner.js';
import { alwaysDay, type DaylightSource, type SunDaylightOptions, sunDaylight } from './ports/daylight.js';
import { guardClock, guardDaylight, guardInspect, type HostErrorReporter, messageOf } from './ports/host-guards.js';
import type { LockDriver } from './ports/lock-driver.js';
import { type Notifier, silentNotifier } from './ports/notifier.js';
import { lazyStatuses } from './status/lazy-statuses.js';
import type { LockStatus, LockStatusStore } from './status/lock-status.js';

export interface RelockOptions {
  /** The lock driver of the host. Required. */
  readonly driver: LockDriver;
  /** A Keyv (any adapter), `'memory'` (the default), or a `sqlite://<file>` URL. */
  readonly store?: StoreOption;
  /** Where "the door was not locked" goes. Default: nowhere. */
  readonly notifier?: Notifier;
  /** Day or night: a function, or coordinates for the built-in sun position. Default: always day. */
  readonly daylight?: DaylightSource | SunDaylightOptions;
  /** Default: warnings and errors to the console. */
  readonly logger?: Logger;
  /** Default: the system clock. Tests pass a `ManualClock`. */
  readonly clock?: Clock;
  /** An XState inspection observer, e.g. from `@statelyai/inspect`. */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** How long one lock command may take before it counts as failed. Default 30 000 ms. */
  readonly actionTimeoutMs?: number;
  /**
   * How long one store call (a read, a write, a delete, a batch) may take before it counts as
   * failed and is retried like any failure; an integer number of milliseconds. Default 10 000 ms.
   */
  readonly storeTimeoutMs?: number;
  /**
   * How long this system's claim on a shared store (a Keyv, a `sqlite://` file) lasts unless it
   * is renewed (every third of it); after a crash on another host a new system must wait this
   * long. An integer from 1 000 to 86 400 000. Default 30 000 ms.
   */
  readonly storeLeaseMs?: number;
}

/**
 * A relock system. `await using relock = await createRelock(…)` stops it when the scope ends.
 *
 * The calls that wait (`startAutolock`, `extendAutolock`, `cancelAutolock`, `flush`, `stop`) take
 * an optional last argument `{ signal }`: when the signal aborts, the call rejects at once with
 * `signal.reason` (e.g. `AbortSignal.timeout(5_000)`: a `TimeoutError`). The signal abandons the
 * *wait*, not the operation: a start or cancel that was sent stays sent, a write stays queued, a
 * stop goes on. A signal already aborted rejects before the call does anything.
 */
export interface Relock extends AsyncDisposable {
  /** The root actor of the system, for the Stately inspector. */
  readonly actor: CoordinatorActorRef;
  addLock(config: LockConfigInput): Promise<LockStatus>;
  /**
   * Adds many locks in one step (reading their stored state together): a host's start-up. Each
   * status of the result is derived when first read (a host that ignores them pays for none).
   */
  addLocks(configs: readonly LockConfigInput[]): Promise<LockStatus[]>;
  /** Reloads a lock's configuration: the handoff; the running autolock carries on. */
  updateLock(config: LockConfigInput): Promise<LockStatus>;
  removeLock(lockId: string): Promise<void>;
  reportLockState(lockId: string, state: LockState): void;
  reportDoorState(lockId: string, state: DoorState): void;
  setAutolock(lockId: string, settings: AutolockSettingsInput): void;
  /** Starts (or re-arms) the autolock by hand; the delay is the day or night minutes. */
  startAutolock(lockId: string, options?: CallOptions): Promise<void>;
  /** Starts (or re-arms) the autolock by hand; the delay defaults to the day or night minutes. */
  startAutolock(lockId: string, durationSeconds?: number, options?: CallOptions): Promise<void>;
  /**
   * Pushes the running countdown's end `seconds` later; resolves once the new end is durable.
   * The old end stays armed until the new one replaces it (there is no moment with nothing
   * armed). Rejects with `NoCountdownError` when no countdown runs (nothing to extend).
   */
  extendAutolock(lockId: string, seconds: number, options?: CallOptions): Promise<void>;
  /**
   * Cancels the autolock and a pending door-close retry; resolves after an in-flight fire has
   * ended and the lock record says the cycle ended (so a restart does not revive it).
   */
  cancelAutolock(lockId: string, options?: CallOptions): Promise<void>;
  status(lockId: string): LockStatus;
  /** The lock's status read model, an `@xstate/store` store a UI can subscribe to. */
  statusStore(lockId: string): LockStatusStore;
  lockIds(): string[];
  subscribe(listener: (event: RelockEvent) => void): () => void;
  /** Resolves when every store write asked so far is durable (or reported failed). */
  flush(options?: CallOptions): Promise<void>;
  /**
   * Flushes pending writes and stops every actor (and closes a store relock opened itself). A
   * second call waits for the same stop.
   */
  stop(options?: CallOptions): Promise<void>;
  /** `stop()`: what `await using` calls at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

function hasMethods(value: unknown, names: readonly string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function')
  );
}

/** Whether the host passed an autolock block (then it wins over stored and `setAutolock` settings). */
/** How `parseLockConfigs` names the i-th of `configs` in an error. */
function fieldOf(configs: readonly unknown[], i: number): string {
  return configs.length === 1 ? 'config' : `configs[${i}]`;
}

function hasAutolockBlock(config: LockConfigInput): boolean {
  return (config as { autolock?: unknown }).autolock !== undefined;
}

/** The clock's first reading: it must be a finite number of milliseconds, or the clock is refused. */
function firstInstant(clock: Clock): number {
  let now: unknown;
  try {
    now = clock.now();
  } catch (error) {
    throw new InvalidArgumentError('clock', clock, `a clock whose now() works (it threw: ${messageOf(error)})`);
  }
  if (typeof now !== 'number' || !Number.isFinite(now) || Math.abs(now) > 8.64e15) {
    throw new InvalidArgumentError('clock.now()', now, 'milliseconds since the epoch, as a Date holds them');
  }
  return now;
}

function resolveDaylight(value: RelockOptions['daylight']): DaylightSource {
  if (value === undefined) return alwaysDay;
  if (typeof value === 'function') return value;
  if (typeof value === 'object' && value !== null) return sunDaylight(value);
  throw new InvalidArgumentError('daylight', value, 'a function or { latitude, longitude }');
}

function validateOptions(options: RelockOptions): void {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', options, 'an object');
  if (!hasMethods(options.driver, ['lock'])) {
    throw new InvalidArgumentError('driver', options.driver, 'an object with a lock(lock, { signal }) method');
  }
  if (options.notifier !== undefined && !hasMethods(options.notifier, ['notify', 'dismiss'])) {
    throw new InvalidArgumentError('notifier', options.notifier, 'an object with notify() and dismiss()');
  }
  if (options.logger !== undefined && !hasMethods(options.logger, ['debug', 'info', 'warn', 'error'])) {
    throw new InvalidArgumentError('logger', options.logger, 'an object with debug, info, warn and error');
  }
  if (options.clock !== undefined && !hasMethods(options.clock, ['now', 'setTimeout', 'clearTimeout'])) {
    throw new InvalidArgumentError('clock', options.clock, 'an object with now, setTimeout and clearTimeout');
  }
  const timeout = options.actionTimeoutMs;
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout <= 0)) {
    throw new InvalidArgumentError('actionTimeoutMs', timeout, 'a positive integer number of milliseconds');
  }
  const storeTimeout = options.storeTimeoutMs;
  if (
    storeTimeout !== undefined &&
    (typeof storeTimeout !== 'number' || !Number.isInteger(storeTimeout) || storeTimeout <= 0)
  ) {
    throw new InvalidArgumentError('storeTimeoutMs', storeTimeout, 'a positive integer number of milliseconds');
  }
  if (options.inspect !== undefined && typeof options.inspect !== 'function' && typeof options.inspect !== 'object') {
    throw new InvalidArgumentError('inspect', options.inspect, 'an inspection observer or function');
  }
}

class RelockSystem implements Relock {
  readonly actor: CoordinatorActorRef;
  readonly #registry: LockRegistry;
  readonly #persistence: Persistence;
  readonly #hub: EventHub;
  readonly #clock: Clock;
  readonly #daylight: DaylightSource;
  readonly #close: () => Promise<void>;
  #stopping: Promise<void> | undefined;
  /** Lock and door reports of the current burst, kept short per lock (see `report-buffer.ts`). */
  readonly #reports: ReportBuffer;

  constructor(parts: {
    actor: CoordinatorActorRef;
    registry: LockRegistry;
    persistence: Persistence;
    hub: EventHub;
    clock: Clock;
    daylight: DaylightSource;
    close: () => Promise<void>;
  }) {
    this.actor = parts.actor;
    this.#registry = parts.registry;
    this.#persistence = parts.persistence;
    this.#hub = parts.hub;
    this.#clock = parts.clock;
    this.#daylight = parts.daylight;
    this.#close = parts.close;
    this.#reports = new ReportBuffer((lockId, event) => this.actor.send({ type: 'REPORT', lockId, event }));
  }

  #live(): void {
    if (this.#stopping !== undefined) throw new SystemStoppedError();
  }

  #lockId(lockId: unknown): string {
    this.#live();
    const id = validateLockId(lockId, 'lockId');
    if (!this.#registry.has(id)) throw new LockNotFoundError(id);
    return id;
  }

  /** Sends a report to the lock now, after every state report made before it. */
  #report(lockId: string, event: LockEvent): void {
    this.#reports.flush();
    this.actor.send({ type: 'REPORT', lockId, event });
  }

  async addLock(config: LockConfigInput): Promise<LockStatus> {
    const [status] = await this.addLocks([config]);
    return status;
  }

  async addLocks(configs: readonly LockConfigInput[]): Promise<LockStatus[]> {
    this.#live();
    this.#reports.flush();
    const parsed = parseLockConfigs(configs);
    const inheritAutolock = configs.map((config) => !hasAutolockBlock(config));
    parsed.forEach((config, i) => {
      if (!inheritAutolock[i]) checkDoorMode(config.autolock, config.hasDoorSensor, `${fieldOf(parsed, i)}.autolock`);
    });
    await ask(this.actor, 'The relock system', (reply) => ({
      type: 'ADD_LOCKS' as const,
      configs: parsed,
      inheritAutolock,
      reply,
    }));
    // built when read: a host that ignores them pays for none
    return lazyStatuses(
      parsed.map((config) => config.id),
      (id) => this.#registry.status(id),
    );
  }

  async updateLock(config: LockConfigInput): Promise<LockStatus> {
    this.#live();
    this.#reports.flush();
    const parsed = parseLockConfig(config);
    if (hasAutolockBlock(config)) checkDoorMode(parsed.autolock, parsed.hasDoorSensor, 'config.autolock');
    this.#lockId(parsed.id);
    await ask(this.actor, 'The relock system', (reply) => ({
      type: 'UPDATE_LOCK' as const,
      config: parsed,
      inheritAutolock: !hasAutolockBlock(config),
      reply,
    }));
    return this.#registry.status(parsed.id);
  }

  async removeLock(lockId: string): Promise<void> {
    const id = this.#lockId(lockId);
    this.#reports.flush();
    await ask(this.actor, 'The relock system', (reply) => ({ type: 'REMOVE_LOCK' as const, lockId: id, reply }));
  }

  /** The lock moves to another process: its actors retire, its stored entry and record stay. */
  async releaseLock(lockId: string): Promise<void> {
    const id = this.#lockId(lockId);
    this.#reports.flush();
    await ask(this.actor, 'The relock system', (reply) => ({ type: 'RELEASE_LOCK' as const, lockId: id, reply }));
  }

  reportLockState(lockId: string, state: LockState): void {
    const id = this.#lockId(lockId);
    if (!isLockState(state)) throw new InvalidArgumentError('state', state, 'locked, unlocked, jammed or unknown');
    this.#reports.add(id, { type: 'LOCK_STATE', state });
  }

  reportDoorState(lockId: string, state: DoorState): void {
    const id = this.#lockId(lockId);
    if (!isDoorState(state)) throw new InvalidArgumentError('state', state, 'open, closed or unknown');
    this.#reports.add(id, { type: 'DOOR_STATE', state });
  }

  setAutolock(lockId: string, settings: AutolockSettingsInput): void {
    const id = this.#lockId(lockId);
    this.#reports.flush();
    const config = this.#registry.lockActor(id).getSnapshot().context.config;
    const parsed = parseAutolockSettings(settings, 'settings', config.autolock);
    if (parsed.doorMode !== config.autolock.doorMode) checkDoorMode(parsed, config.hasDoorSensor, 'settings');
    this.#report(id, { type: 'SET_AUTOLOCK', settings: parsed });
  }

  startAutolock(lockId: string, options?: CallOptions): Promise<void>;
  startAutolock(lockId: string, durationSeconds?: number, options?: CallOptions): Promise<void>;
  async startAutolock(
    lockId: string,
    durationOrOptions?: number | CallOptions,
    maybeOptions?: CallOptions,
  ): Promise<void> {
    const id = this.#lockId(lockId);
    // `startAutolock(id, { signal })`: the options in the place of the duration
    const byDefault = typeof durationOrOptions === 'object' && durationOrOptions !== null;
    const durationSeconds = byDefault ? undefined : durationOrOptions;
    const { signal } = byDefault
      ? parseCallOptions(durationOrOptions, 'options')
      : parseCallOptions(maybeOptions, 'options');
    if (durationSeconds !== undefined) validateDuration(durationSeconds);
    await abandonable(signal, async () => {
      this.#reports.flush();
      const config = this.#registry.lockActor(id).getSnapshot().context.config;
      const seconds = durationSeconds ?? autolockDurationSeconds(config, this.#daylight, this.#clock.now());
      await this.#registry.timer(id).start(seconds);
    });
  }

  async extendAutolock(lockId: string, seconds: number, options?: CallOptions): Promise<void> {
    const id = this.#lockId(lockId);
    const { signal } = parseCallOptions(options);
    await abandonable(signal, async () => {
      this.#reports.flush();
      await this.#registry.timer(id).extend(seconds);
    });
  }

  async cancelAutolock(lockId: string, options?: CallOptions): Promise<void> {
    const id = this.#lockId(lockId);
    const { signal } = parseCallOptions(options);
    await abandonable(signal, async () => {
      // a cancel by hand also drops a pending door-close retry: nothing locks this autolock cycle
      this.#report(id, { type: 'CLEAR_RETRY' });
      // this spell's cycle ends here (also while waiting for the door, or while the timer recovers)
      this.#report(id, { type: 'AUTOLOCK_CYCLE_ENDED' });
      await this.#registry.timer(id).cancel();
      // acknowledged once the lock record says so: a restart then does not revive the autolock
      await this.#registry.recordDurable(id);
    });
  }

  status(lockId: string): LockStatus {
    const id = this.#lockId(lockId);
    this.#reports.flush();
    return this.#registry.status(id);
  }

  statusStore(lockId: string): LockStatusStore {
    const id = this.#lockId(lockId);
    this.#reports.flush();
    return this.#registry.statusStore(id);
  }

  lockIds(): string[] {
    return this.#registry.ids();
  }

  subscribe(listener: EventListener): () => void {
    if (typeof listener !== 'function') throw new InvalidArgumentError('listener', listener, 'a function');
    return this.#hub.subscribe(listener);
  }

  async stop(options?: CallOptions): Promise<void> {
    const { signal } = parseCallOptions(options);
    await abandonable(signal, () => this.#stop());
  }

  #stop(): Promise<void> {
    if (this.#stopping === undefined) this.#reports.flush();
    this.#stopping ??= (async () => {
      this.actor.send({ type: 'STOP' });
      await waitFor(this.actor, (snapshot) => snapshot.status !== 'active');
      await this.#close();
    })();
    return this.#stopping;
  }

  /** `await using relock = await createRelock(…)`: stopped when the scope ends (after a `stop()`, nothing more). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#stop();
  }

  /** Resolves when every write asked so far is durable (or reported failed). */
  async flush(options?: CallOptions): Promise<void> {
    const { signal } = parseCallOptions(options);
    await abandonable(signal, () => {
      this.#reports.flush();
      return this.#persistence.flush();
    });
  }
}

/** Creates and starts a relock system. */
export async function createRelock(options: RelockOptions): Promise<Relock> {
  return startRelockSystem(options);
}

/**
 * What `relock/cluster` gives the system of one process beyond the public options: the store it
 * opened itself (no whole-store claim: ownership is per lock) and the fence asked before each
 * lock command.
 */
export interface ClusterMemberParts {
  readonly store: Keyv;
  readonly fence: NonNullable<RegistryDeps['fence']>;
}

/** A relock system whose locks can also be released to another process (`relock/cluster`). */
export interface ReleasableRelock extends Relock {
  releaseLock(lockId: string): Promise<void>;
}

export async function startRelockSystem(
  options: RelockOptions,
  member?: ClusterMemberParts,
): Promise<ReleasableRelock> {
  validateOptions(options);
  const logger = safeLogger(options.logger ?? consoleLogger);
  const hostClock = options.clock ?? systemClock;
  const first = firstInstant(hostClock);
  // every event's `at`: the guarded clock once it exists (nothing is emitted before)
  let stampClock: Clock = hostClock;
  const hub = new EventHub(() => stampClock.now());
  // every function the host hands over is called behind a guard: a failure is reported, never thrown
  const reportHostError: HostErrorReporter = (source, message, lockId) => {
    logger.warn(`The host's ${source} failed`, { source, message, ...(lockId === undefined ? {} : { lockId }) });
    hub.emit({ type: 'host.error', source, message, ...(lockId === undefined ? {} : { lockId }) });
  };
  const daylight = guardDaylight(resolveDaylight(options.daylight), reportHostError);
  const clock = guardClock(hostClock, first, reportHostError);
  stampClock = clock;
  const leaseMs = validateStoreLeaseMs(options.storeLeaseMs);
  const store = member?.store ?? (await createKeyvStore(options.store));
  const ownsStore = member === undefined && typeof options.store === 'string';
  const name = describeStore(options.store, store);
  let system: RelockSystem | undefined;
  // a store of its own ('memory') needs no claim; a shared one is claimed before any lock is added
  // (in a cluster, each lock is claimed instead)
  const shared = member === undefined && options.store !== undefined && options.store !== 'memory';
  const owner = shared
    ? await StoreOwner.claim({
        store,
        name,
        clock,
        logger,
        leaseMs,
        onLost: (message) => {
          hub.emit({ type: 'store.lost', store: name, message });
          void system?.stop();
        },
      }).catch(async (error: unknown) => {
        if (ownsStore) await store.disconnect().catch(() => {});
        throw error;
      })
    : undefined;
  // a system that lost the store sends no further command, even before its actors have stopped
  const driver: LockDriver =
    owner === undefined
      ? options.driver
      : {
          lock: (lock, signal) =>
            owner.held
              ? options.driver.lock(lock, signal)
              : Promise.reject(new Error(`relock no longer holds the store ${name}`)),
        };
  const { actor, registry, persistence } = startCoordinator({
    store,
    clock,
    driver,
    notifications: new Notifications(options.notifier ?? silentNotifier, hub.emit, logger),
    daylight,
    logger,
    emit: hub.emit,
    actionTimeoutMs: options.actionTimeoutMs ?? 30_000,
    ...(options.storeTimeoutMs !== undefined ? { storeTimeoutMs: options.storeTimeoutMs } : {}),
    reportHostError,
    inspect: options.inspect === undefined ? undefined : guardInspect(options.inspect, reportHostError),
    ...(member === undefined ? {} : { fence: member.fence }),
  });
  const close = async (): Promise<void> => {
    // after every actor has stopped: nothing of this system fires once another may take over
    await owner?.release();
    if (ownsStore) await store.disconnect();
  };
  system = new RelockSystem({ actor, registry, persistence, hub, clock, daylight, close });
  return system;
}
