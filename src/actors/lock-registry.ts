/**
 * The registry of locks and their timers, owned by the coordinator actor: add (create and
 * recover), reload (the handoff), remove, and the fire that each timer performs.
 *
 * Invariants:
 * - per lock there is one live lock actor (`lock:<id>`) and one timer actor (`timer:<id>`), both
 *   registered in the coordinator's actor system (so `system.get()` and the inspector see them)
 *   but held here, not in the coordinator's snapshot: adding or removing a lock costs the same
 *   at 10,000 locks as at 10 (XState copies a parent's children map on every spawn);
 * - a reload replaces the lock actor and never touches the timer; the fire looks the lock up in
 *   this registry when it fires, so it always acts on the live lock;
 * - a fire sends at most one lock command, and none for a lock that is locked or removed;
 * - lock records (config, runtime state, code slots) are written through the persistence actor
 *   whenever they change (a failed write is tried again, and once more at shutdown), and a restart
 *   inherits from them as a reload inherits from the old lock; a retired lock (removed, or the
 *   system shut down) leaves no rewrite waiting on the clock;
 * - every failure becomes an event on the hub; nothing here throws into an actor.
 */
import { isDeepStrictEqual } from 'node:util';
import { type ActorRefFrom, type AnyActorRef, createActor } from 'xstate';
import type { Clock, TimerHandle } from '../clock/clock.js';
import { LockExistsError, LockNotFoundError, StoreError, SystemStoppedError } from '../errors.js';
import type { EventSink, FireOutcome } from '../events.js';
import type { Logger } from '../logger.js';
import { restoredLockSnapshot, restoresDoorOpenAfterStart } from '../machines/lock-snapshot.js';
import { type Handoff, inheritState } from '../model/inherit-state.js';
import type { LockConfig } from '../model/lock-config.js';
import { INITIAL_RUNTIME, type LockRuntime, NOTICE_FLAGS, noticesOf } from '../model/lock-runtime.js';
import { encodeLockRecord, type LockRecord } from '../persistence/lock-record-codec.js';
import type { LockStore } from '../persistence/lock-store.js';
import type { TimerStore } from '../persistence/timer-store.js';
import type { DaylightSource } from '../ports/daylight.js';
import { type HostErrorReporter, messageOf } from '../ports/host-guards.js';
import type { LockDriver } from '../ports/lock-driver.js';
import {
  createLockStatusStore,
  deriveLockStatus,
  type LockStatus,
  type LockStatusStore,
} from '../status/lock-status.js';
import {
  type AutolockPolicy,
  AutolockTimer,
  type AutolockTimerDeps,
  type FireRequest,
  fireOnLiveLock,
  provideAutolockTimer,
  toRelockEvent,
  UPSTREAM_POLICY,
} from './autolock-timer.actor.js';
import { autolockDecision, autolockPolicy, type LockLogic, lockRuntimeOf, provideLockMachine } from './lock.actor.js';
import type { Notifications } from './notifications.js';

export interface RegistryDeps {
  readonly clock: Clock;
  readonly timers: TimerStore;
  readonly locks: LockStore;
  readonly driver: LockDriver;
  readonly notifications: Notifications;
  readonly daylight: DaylightSource;
  readonly logger: Logger;
  readonly emit: EventSink;
  /** Bound on one lock command (the timer's fire and a retry's command). */
  readonly actionTimeoutMs: number;
  /** Where a failing host function (a status store's observer) is reported. */
  readonly reportHostError: HostErrorReporter;
  /**
   * Asked right before each lock command, when locks are shared among processes (`relock/cluster`):
   * this process's fencing token for the lock, or `'not-owner'` (then no command is sent, and the
   * fire ends as for a lock that is gone). Rejects when ownership cannot be checked (a failed attempt).
   */
  readonly fence?: (lockId: string) => Promise<{ readonly token: number } | 'not-owner'>;
}

type LockActorRef = ActorRefFrom<LockLogic>;

/** Wait before writing again a lock record whose write failed. */
const RECORD_RETRY_MS = 5_000;

interface Entry {
  readonly id: string;
  readonly timer: AutolockTimer;
  /** Created on the first `statusStore()` call: a lock nobody watches costs no store. */
  status: LockStatusStore | undefined;
  lock: LockActorRef;
  unwatchLock: () => void;
  readonly unwatchTimer: () => void;
  savedConfig: LockConfig | null;
  savedRuntime: LockRuntime | null;
  /** The stored record is of a newer format: it is kept as it is, never overwritten. */
  readonly keepRecord: boolean;
  /** The latest write of the lock record (rejects with the store's error if it failed). */
  lastWrite: Promise<void> | undefined;
}

function sameRuntime(a: LockRuntime | null, b: LockRuntime): boolean {
  return (
    a !== null &&
    a.lockState === b.lockState &&
    a.doorState === b.doorState &&
    a.pendingRetry === b.pendingRetry &&
    a.cycleEnded === b.cycleEnded &&
    NOTICE_FLAGS.every((flag) => a[flag] === b[flag])
  );
}

export class LockRegistry {
  readonly #deps: RegistryDeps;
  readonly #parent: AnyActorRef;
  readonly #entries = new Map<string, Entry>();
  readonly #adding = new Set<string>();
  readonly #lockLogic: LockLogic;
  readonly #timerDeps: AutolockTimerDeps;
  /** The pending rewrite of each lock record whose write failed: cleared when its lock retires. */
  readonly #recordRetries = new Map<Entry, TimerHandle>();
  /** Removals under way: an add of the same id waits for them. */
  readonly #removals = new Map<string, Promise<void>>();
  /** Ids whose removal failed to clear the store: re-added fresh, never from what was left. */
  readonly #removed = new Set<string>();
  #stopped = false;

  constructor(deps: RegistryDeps, parent: AnyActorRef) {
    this.#deps = deps;
    this.#parent = parent;
    this.#lockLogic = provideLockMachine({
      clock: deps.clock,
      notifications: deps.notifications,
      daylight: deps.daylight,
      logger: deps.logger,
      timerOf: (lockId) => this.#entries.get(lockId)?.timer,
    });
    this.#timerDeps = {
      clock: deps.clock,
      timers: deps.timers,
      actionTimeoutMs: deps.actionTimeoutMs,
      policyOf: (lockId) => this.#policyOf(lockId),
      fire: fireOnLiveLock(
        (lockId) => this.#entries.get(lockId),
        (entry, request) => this.#fire(entry, request),
      ),
    };
    // built once, here: every timer of this system shares the provided logic
    provideAutolockTimer(this.#timerDeps);
  }

  get size(): number {
    return this.#entries.size;
  }

  has(lockId: string): boolean {
    return this.#entries.has(lockId);
  }

  ids(): string[] {
    return [...this.#entries.keys()];
  }

  #entry(lockId: string): Entry {
    const entry = this.#entries.get(lockId);
    if (entry === undefined) throw new LockNotFoundError(lockId);
    return entry;
  }

  /** The live lock actor (for the inspector and tests). */
  lockActor(lockId: string): LockActorRef {
    return this.#entry(lockId).lock;
  }

  timer(lockId: string): AutolockTimer {
    return this.#entry(lockId).timer;
  }

  statusStore(lockId: string): LockStatusStore {
    const entry = this.#entry(lockId);
    entry.status ??= createLockStatusStore(this.status(lockId), (message) =>
      this.#deps.reportHostError('statusStore', message, lockId),
    );
    return entry.status;
  }

  status(lockId: string): LockStatus {
    const entry = this.#entry(lockId);
    return deriveLockStatus(entry.lock.getSnapshot(), entry.timer.status());
  }

  /** The live lock actor, or undefined for a lock not (or no longer) registered. */
  lockActorIfAny(lockId: string): LockActorRef | undefined {
    return this.#entries.get(lockId)?.lock;
  }

  /**
   * Creates locks and their timers, restores their stored records and recovers their timers.
   * All or nothing up to the store reads: a duplicate id or a failed lock-record read rejects
   * the whole batch before any actor exists. A failed timer-entry read does not: that timer
   * recovers on its own, retrying the read, while the batch resolves (its status says FRESH).
   * A lock removed by this system is added fresh: it waits for the removal to end and never
   * reads what the removed lock left behind. `inheritAutolock[i]`: the host gave no autolock
   * block, so the stored settings stay (see `inheritState`).
   */
  async addMany(configs: readonly LockConfig[], inheritAutolock: readonly boolean[] = []): Promise<void> {
    if (this.#stopped) throw new SystemStoppedError();
    const ids = configs.map((config) => config.id);
    const batch = new Set<string>();
    for (const id of ids) {
      if (this.#entries.has(id) || this.#adding.has(id) || batch.has(id)) throw new LockExistsError(id);
      batch.add(id);
    }
    for (const id of ids) this.#adding.add(id);
    try {
      // a removal still under way ends first: its fire or cancel never meets the new lock
      await Promise.all(ids.map((id) => this.#removals.get(id)));
      const fresh = new Set(ids.filter((id) => this.#removed.has(id)));
      const read = ids.filter((id) => !this.#removed.has(id));
      const [records, entries] = await Promise.all([this.#deps.locks.readMany(read), this.#deps.timers.readMany(read)]);
      if (this.#stopped) throw new SystemStoppedError();
      // a record of a newer format is not a failed read: that lock starts from the host's config,
      // and its record stays untouched (never overwritten) for the version that can read it
      const unreadable = new Set(read.filter((id) => this.#deps.locks.isUnreadable(id)));
      const failedRead = records.find((result, i) => 'error' in result && !unreadable.has(read[i]));
      if (failedRead !== undefined && 'error' in failedRead) throw failedRead.error;
      const found = new Map(read.map((id, i) => [id, { record: records[i], stored: entries[i] }]));
      for (const id of fresh) this.#removed.delete(id);
      configs.forEach((config, i) => {
        const { record, stored } = found.get(config.id) ?? { record: { value: null }, stored: { value: null } };
        const previous = 'value' in record ? record.value : null;
        const entry = this.#create(config, previous, inheritAutolock[i] ?? false, unreadable.has(config.id));
        // autolock turned off while the process was down (the stored settings had it on): as a
        // reload that disables it, the cycle left on disk is ended, not replayed
        const turnedOff =
          previous?.config.autolock.enabled === true && !entry.lock.getSnapshot().context.config.autolock.enabled;
        if (turnedOff && !fresh.has(config.id)) void entry.timer.cancel().catch(() => {});
        // a lock restored as unlocked arms its autolock once its timer has recovered (#watchTimer)
        if (fresh.has(config.id)) {
          // whatever a failed removal left behind is removed (until durable), never fired
          void entry.timer.cancel().catch(() => {});
          void entry.timer.recover().catch(() => {});
        } else if ('error' in stored) void entry.timer.recover().catch(() => {});
        else entry.timer.resume(stored.value);
      });
    } finally {
      for (const id of ids) this.#adding.delete(id);
    }
  }

  #create(config: LockConfig, record: LockRecord | null, inheritAutolock: boolean, keepRecord = false): Entry {
    const { id } = config;
    const inherited: Handoff = record
      ? inheritState(config, record, { inheritAutolock })
      : { config, runtime: INITIAL_RUNTIME, droppedAllSlots: false };
    // autolock turned on while the system was down: as turning it on, a new cycle may start
    const turnedOn = record !== null && !record.config.autolock.enabled && inherited.config.autolock.enabled;
    const handoff: Handoff =
      turnedOn && inherited.runtime.cycleEnded
        ? { ...inherited, runtime: { ...inherited.runtime, cycleEnded: false } }
        : inherited;
    if (handoff.droppedAllSlots) this.#reportDroppedSlots(id);
    const timer = new AutolockTimer({
      lockId: id,
      deps: this.#timerDeps,
      parent: this.#parent,
      systemId: `timer:${id}`,
    });
    const lock = this.#spawnLock(handoff);
    const entry: Entry = {
      id,
      timer,
      lock,
      status: undefined,
      unwatchLock: () => {},
      unwatchTimer: this.#watchTimer(id, timer),
      savedConfig: null,
      savedRuntime: null,
      keepRecord,
      lastWrite: undefined,
    };
    entry.unwatchLock = this.#watchLock(entry, lock);
    this.#entries.set(id, entry);
    if (record !== null) this.#adoptStoredRecord(entry, record);
    this.#saveRecord(entry);
    return entry;
  }

  /**
   * A restart whose lock is just as its stored record says writes nothing back: the record is
   * taken as saved when its encoded form (PIN digits included) is exactly what would be written
   * (compared as data, key order aside).
   */
  #adoptStoredRecord(entry: Entry, record: LockRecord): void {
    const snapshot = entry.lock.getSnapshot();
    const config = snapshot.context.config;
    const runtime = lockRuntimeOf(snapshot);
    if (!isDeepStrictEqual(encodeLockRecord({ config, runtime }), encodeLockRecord(record))) return;
    entry.savedConfig = config;
    entry.savedRuntime = runtime;
  }

  /**
   * The reload handoff: a new lock actor inherits the old one's state; the timer carries on (with
   * any command of its cycle in flight, retried or awaiting confirmation).
   */
  reload(config: LockConfig, inheritAutolock = false): void {
    const entry = this.#entry(config.id);
    const old = entry.lock.getSnapshot();
    const handoff = inheritState(
      config,
      { config: old.context.config, runtime: lockRuntimeOf(old) },
      // spawned with the old settings; the host's own block then arrives as a change of settings,
      // so disabling cancels the running autolock and enabling starts it, as setAutolock does
      { inheritAutolock: true },
    );
    if (handoff.droppedAllSlots) this.#reportDroppedSlots(config.id);
    entry.unwatchLock();
    entry.lock.send({ type: 'RETIRE' });
    entry.lock = this.#spawnLock(handoff);
    if (!inheritAutolock) entry.lock.send({ type: 'SET_AUTOLOCK', settings: config.autolock });
    entry.unwatchLock = this.#watchLock(entry, entry.lock);
    this.#refresh(entry);
    this.#saveRecord(entry);
    // no TIMER_READY: the timer is already recovered and carries on as it is; a reload neither
    // restarts a running autolock nor revives one the host cancelled
  }

  /**
   * Cancels the timer (waiting for an in-flight fire), removes its entry and the lock record.
   * An add of the same id meanwhile waits for this to end; if a removal failed, that add starts
   * fresh without reading what was left behind.
   */
  async remove(lockId: string): Promise<void> {
    const entry = this.#entry(lockId);
    this.#entries.delete(lockId);
    let clean = true;
    // the lock is gone for the host: notices it left showing go with it
    entry.lock.send({ type: 'DISMISS_NOTICES' });
    const removal = (async () => {
      const record = this.#deps.locks.remove(lockId).catch(() => {
        clean = false;
      });
      await entry.timer.cancel().catch(() => {
        clean = false;
      });
      this.#retire(entry);
      await record;
      if (!clean) this.#removed.add(lockId);
    })();
    this.#removals.set(lockId, removal);
    try {
      await removal;
    } finally {
      if (this.#removals.get(lockId) === removal) this.#removals.delete(lockId);
    }
    if (!clean)
      throw new StoreError(
        'remove',
        this.#deps.locks.key(lockId),
        new Error('the stored records could not all be removed'),
      );
  }

  /**
   * The lock moves to another process (`relock/cluster`): its actors retire and its stored timer
   * entry and record stay for the next owner, as at a shutdown, once no fire or store call of its
   * timer is in flight.
   */
  async release(lockId: string): Promise<void> {
    const entry = this.#entries.get(lockId);
    if (entry === undefined) return;
    // a fire or write in flight ends here first: the next owner must read its outcome, not redo it
    await entry.timer.settled();
    if (this.#entries.get(lockId) !== entry) return;
    this.#entries.delete(lockId);
    this.#retire(entry);
  }

  /** Retires every actor; stored timer entries stay for the next system to replay. */
  shutdown(): void {
    this.#stopped = true;
    for (const entry of this.#entries.values()) {
      this.#saveRecord(entry); // a record whose last write failed gets one more try
      this.#retire(entry);
    }
    this.#entries.clear();
  }

  #retire(entry: Entry): void {
    this.#cancelRecordRetry(entry);
    entry.unwatchLock();
    entry.unwatchTimer();
    entry.timer.retire();
    entry.lock.send({ type: 'RETIRE' });
  }

  #reportDroppedSlots(lockId: string): void {
    const message =
      'The new configuration has no code slots while the old one had some; the old code slots were kept. Remove and re-add the lock to clear them.';
    this.#deps.logger.error(message, { lockId });
    this.#deps.emit({ type: 'lock.error', lockId, message });
  }

  /** The live lock's retry policy (a lock gone meanwhile: upstream's, one command). */
  #policyOf(lockId: string): AutolockPolicy {
    const entry = this.#entries.get(lockId);
    return entry === undefined ? UPSTREAM_POLICY : autolockPolicy(entry.lock.getSnapshot().context.config);
  }

  #spawnLock(handoff: Handoff): LockActorRef {
    const { runtime } = handoff;
    const input = { config: handoff.config, notices: noticesOf(runtime), cycleEnded: runtime.cycleEnded };
    // created in the state it resumes (no start-then-RESTORE macrostep); an open door is entered after
    const actor = createActor(this.#lockLogic, {
      parent: this.#parent,
      systemId: `lock:${handoff.config.id}`,
      input,
      snapshot: restoredLockSnapshot(input, runtime),
    });
    actor.start();
    if (restoresDoorOpenAfterStart(runtime)) actor.send({ type: 'RESTORE', runtime });
    return actor;
  }

  async #fire(entry: Entry, request: FireRequest): Promise<FireOutcome> {
    const snapshot = entry.lock.getSnapshot();
    const decision = autolockDecision(snapshot);
    if (decision === 'already-locked') return 'already-locked';
    if (decision === 'jammed') return 'jammed';
    if (decision === 'defer') {
      entry.lock.send({ type: 'AUTOLOCK_DEFERRED' });
      return 'retry-pending';
    }
    const { id, name } = snapshot.context.config;
    if (this.#deps.fence === undefined) {
      await this.#deps.driver.lock(Object.freeze({ id, name }), { signal: request.signal });
      return 'locked';
    }
    const fence = await this.#deps.fence(id);
    if (fence === 'not-owner' || request.signal.aborted) return 'missing';
    await this.#deps.driver.lock(Object.freeze({ id, name }), { signal: request.signal, fencingToken: fence.token });
    return 'locked';
  }

  #refresh(entry: Entry): void {
    const lock = entry.lock.getSnapshot();
    if (lock.status !== 'active' || entry.status === undefined) return;
    try {
      entry.status.trigger.refresh({ status: deriveLockStatus(lock, entry.timer.status()) });
    } catch (error) {
      // an observer the guard does not reach (a selection's) must not throw into an actor
      this.#deps.reportHostError('statusStore', `an observer threw: ${messageOf(error)}`, entry.id);
    }
  }

  #saveRecord(entry: Entry): void {
    if (entry.keepRecord) return;
    const snapshot = entry.lock.getSnapshot();
    if (snapshot.status !== 'active') return;
    const config = snapshot.context.config;
    const runtime = lockRuntimeOf(snapshot);
    if (config === entry.savedConfig && sameRuntime(entry.savedRuntime, runtime)) return;
    entry.savedConfig = config;
    entry.savedRuntime = runtime;
    const write = this.#deps.locks.write(entry.id, { config, runtime });
    entry.lastWrite = write;
    write.catch(() => {
      // reported by the persistence actor; the host's last report must not be lost with it, so
      // the record is written again a little later (and at shutdown, whichever comes first)
      if (this.#entries.get(entry.id) !== entry || entry.savedRuntime !== runtime) return;
      entry.savedRuntime = null;
      if (this.#recordRetries.has(entry)) return; // the rewrite already waiting writes the latest
      const handle = this.#deps.clock.setTimeout(() => {
        this.#recordRetries.delete(entry);
        if (this.#entries.get(entry.id) === entry) this.#saveRecord(entry);
      }, RECORD_RETRY_MS);
      this.#recordRetries.set(entry, handle);
    });
  }

  /**
   * Writes the lock's record now if it changed (or its last write failed), and resolves once
   * that write is durable; rejects with the store's error (the record is still written again later).
   */
  async recordDurable(lockId: string): Promise<void> {
    const entry = this.#entries.get(lockId);
    if (entry === undefined) return;
    if (entry.savedRuntime === null) this.#cancelRecordRetry(entry); // a failed write: try it now
    this.#saveRecord(entry);
    await entry.lastWrite;
  }

  /** A retired lock's record is not written again later: nothing of it keeps waiting on the clock. */
  #cancelRecordRetry(entry: Entry): void {
    const handle = this.#recordRetries.get(entry);
    if (handle === undefined) return;
    this.#recordRetries.delete(entry);
    this.#deps.clock.clearTimeout(handle);
  }

  #watchLock(entry: Entry, lock: LockActorRef): () => void {
    const { emit } = this.#deps;
    const subscription = lock.subscribe({
      next: () => {
        this.#refresh(entry);
        this.#saveRecord(entry);
      },
      error: (error) => emit({ type: 'lock.error', lockId: entry.id, message: String(error) }),
    });
    const listener = lock.on('*', (event) => {
      if (event.type === 'retry-pending') emit({ type: 'autolock.retry-pending', lockId: event.lockId });
      else if (event.type === 'jammed') emit({ type: 'lock.jammed', lockId: event.lockId, cleared: event.cleared });
      else emit({ type: 'door.left-open', lockId: event.lockId, minutes: event.minutes });
    });
    return () => {
      subscription.unsubscribe();
      listener.unsubscribe();
    };
  }

  #watchTimer(lockId: string, timer: AutolockTimer): () => void {
    const { emit } = this.#deps;
    let recovering = true;
    const subscription = timer.actor.subscribe({
      next: (snapshot) => {
        const entry = this.#entries.get(lockId);
        if (entry === undefined) return;
        this.#refresh(entry);
        if (recovering && !snapshot.matches('fresh') && !snapshot.matches('recovering')) {
          // recovery has decided: an unlocked lock makes sure its autolock runs (also after a failed read)
          recovering = false;
          entry.lock.send({ type: 'TIMER_READY' });
        }
      },
      error: (error) => emit({ type: 'lock.error', lockId, message: String(error) }),
    });
    const listener = timer.actor.on('*', (event) => {
      const lock = this.#entries.get(lockId)?.lock;
      // the live lock's limit (a lock gone meanwhile: upstream's one attempt), without building a policy per event
      const attempts = lock?.getSnapshot().context.config.autolock.maxAttempts ?? UPSTREAM_POLICY.maxAttempts;
      const relockEvent = toRelockEvent(event, attempts);
      emit(relockEvent);
      if (relockEvent.type === 'autolock.failed') {
        const { type: _type, lockId: _lockId, ...failure } = relockEvent;
        const { reason: message, attempt, attempts, unconfirmed } = failure;
        this.#deps.logger.warn('Autolock attempt failed', { lockId, message, attempt, attempts, unconfirmed });
        lock?.send({ type: 'AUTOLOCK_FAILED', ...failure });
      }
      // the cycle of this unlocked spell ended with no locked report to come: a restart or a
      // takeover does not start another (a locked or unlocked report, or a start, clears it).
      // A cancel by hand marks it itself (relock.ts); here, a command accepted by a lock that
      // reports no state, and a confirmation waived (the lock set to report none meanwhile)
      const ended =
        event.type === 'confirmed' ||
        (event.type === 'fired' && event.outcome === 'locked' && !event.awaitingConfirmation);
      if (ended) lock?.send({ type: 'AUTOLOCK_CYCLE_ENDED' });
      if (event.type === 'started') lock?.send({ type: 'AUTOLOCK_CYCLE_STARTED' });
      if (event.type === 'warning') lock?.send({ type: 'AUTOLOCK_WARNING', endsAt: event.endsAt });
      // the countdown a warning announced is over (or moved): its notice goes
      const over = event.type === 'attempt' || event.type === 'cancelled' || event.type === 'started';
      if (over && lock?.getSnapshot().context.warningNoticeShown) lock.send({ type: 'WARNING_OVER' });
    });
    return () => {
      subscription.unsubscribe();
      listener.unsubscribe();
    };
  }
}
