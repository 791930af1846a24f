/**
 * relock across processes: N processes share one Redis, and each lock is owned by exactly one
 * live process at a time, which alone arms and fires its autolock.
 *
 *   member lease   `<p>member:<id>`, SET PX lease, renewed every third of the lease
 *   ownership      `<p>own:<lock>` = `<member>|<token>`, claimed with CLAIM (lease-scripts.ts)
 *   placement      rendezvous hashing of the lock id over the live members (rendezvous.ts)
 *   fencing        every timer/record write is a FENCED_SET/DELETE; every command asks CHECK
 *                  first and carries the token to the driver (`fencingToken`)
 *
 * Invariants:
 * - a process runs the actors of the locks it owns, in one ordinary relock system of its own (on
 *   the fenced store); a lock it stops owning is released to the next owner with its stored
 *   entry and record intact (`releaseLock`), as at a shutdown;
 * - a lock is claimed only from no owner or from a member whose lease key is gone: never from a
 *   live member; a member that finds its own lease gone (paused or cut off longer than the lease)
 *   drops every lock at once and joins again as a new incarnation, whose claims get new tokens;
 * - a command is sent only after Redis has confirmed, in one script, that this member still owns
 *   the lock and its lease has not passed; a write lands only under the same condition. A member
 *   paused past its lease therefore neither fires nor writes when it wakes;
 * - a taken-over lock is recovered as at a restart: its stored cycle (a countdown, a retry, a
 *   confirmation) resumes, and an unlocked lock with none starts one unless that spell's cycle
 *   ended (`cycleEnded`: cancelled by hand, or accepted by a lock that reports no state), so an
 *   autolock the host cancelled stays cancelled across a failover;
 * - every member is given every lock (`addLocks`) and every report it receives: a report is
 *   stored in Redis (the latest per lock) and published, so the owner applies it at once and a
 *   new owner applies the latest at its claim;
 * - commands (`startAutolock`, `cancelAutolock`, …) are answered by the owner only; elsewhere they
 *   reject with `LockNotOwnedError` (the host asks `owns(id)` or retries on another process);
 * - one tick at a time; after `stop()` resolves no timer of this module is pending and this
 *   member's locks are released for the others to claim at their next tick.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import Keyv from 'keyv';
import type { Clock, TimerHandle } from '../clock/clock.js';
import { systemClock } from '../clock/clock.js';
import { InvalidArgumentError, LockNotOwnedError, StoreError } from '../errors.js';
import { EventHub, type RelockEvent } from '../events.js';
import { type AutolockSettingsInput, type LockConfigInput, parseLockConfig } from '../model/lock-config.js';
import { type DoorState, isDoorState, isLockState, type LockState } from '../model/lock-runtime.js';
import { parseRedisUrl, type RedisTarget, relockRedisClient, scrubbed } from '../persistence/redis-store.js';
import { loadStorePackage } from '../persistence/store-packages.js';
import type { RelockOptions } from '../relock.js';
import { type ReleasableRelock, startRelockSystem } from '../relock.js';
import type { LockStatus } from '../status/lock-status.js';
import { FencedRedisStore } from './fenced-redis-store.js';
import { CHECK, CLAIM, RELEASE } from './lease-scripts.js';
import { rendezvousOwner } from './rendezvous.js';

export const DEFAULT_CLUSTER_LEASE_MS = 10_000;

export interface RelockClusterOptions extends Omit<RelockOptions, 'store' | 'storeLeaseMs'> {
  /** The shared Redis: `redis://host:port[/db]`. One Redis server (not Redis Cluster). */
  readonly redis: string;
  /**
   * How long a member's lease lasts unless renewed (every third of it): a process that dies
   * leaves its locks for at most this long (plus a third) before another takes them. An integer
   * from 1 000 to 600 000 ms. Default 10 000.
   */
  readonly leaseMs?: number;
  /**
   * The prefix of every key of the cluster: its members and owners, and its locks' data (Keyv
   * namespace `<prefix>data`). Several clusters can share one Redis. Default `relock:cluster:`.
   */
  readonly prefix?: string;
}

/** The cluster's own events; `at` is when (epoch ms, on Redis's clock, as the lock events of a member). */
export type ClusterEvent = ClusterEventData & { readonly at: number };

type ClusterEventData =
  | { readonly type: 'cluster.claimed'; readonly member: string; readonly lockIds: readonly string[] }
  | { readonly type: 'cluster.released'; readonly member: string; readonly lockIds: readonly string[] }
  | { readonly type: 'cluster.lease-lost'; readonly member: string; readonly lockIds: readonly string[] }
  | { readonly type: 'cluster.error'; readonly member: string; readonly message: string };

export interface RelockCluster {
  /** This process's member id (its current incarnation). */
  readonly member: string;
  /** Every process is given every lock; each runs those it owns. */
  addLocks(configs: readonly LockConfigInput[]): Promise<void>;
  updateLock(config: LockConfigInput): Promise<void>;
  removeLock(lockId: string): Promise<void>;
  reportLockState(lockId: string, state: LockState): void;
  reportDoorState(lockId: string, state: DoorState): void;
  /** Owner only (else `LockNotOwnedError`). */
  startAutolock(lockId: string, durationSeconds?: number): Promise<void>;
  cancelAutolock(lockId: string): Promise<void>;
  extendAutolock(lockId: string, seconds: number): Promise<void>;
  setAutolock(lockId: string, settings: AutolockSettingsInput): void;
  status(lockId: string): LockStatus;
  owns(lockId: string): boolean;
  ownedLockIds(): string[];
  /** The events of this process's locks, and the cluster's own. */
  subscribe(listener: (event: RelockEvent | ClusterEvent) => void): () => void;
  /** Runs one membership tick now (renew, look at the members, claim and release). */
  rebalance(): Promise<void>;
  /** Resolves when every store write this member asked so far is durable (or reported failed). */
  flush(): Promise<void>;
  /** Flushes, releases every owned lock to the others, leaves the cluster. */
  stop(): Promise<void>;
}

/** What the cluster needs of a node-redis v5 client. */
interface RedisClient {
  connect(): Promise<unknown>;
  quit?(): Promise<unknown>;
  close?(): Promise<unknown>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options: { PX: number; NX?: true; XX?: true }): Promise<string | null>;
  del(key: string): Promise<number>;
  sAdd(key: string, member: string): Promise<number>;
  sRem(key: string, member: string): Promise<number>;
  sMembers(key: string): Promise<string[]>;
  exists(key: string): Promise<number>;
  hSet(key: string, field: string, value: string): Promise<number>;
  hmGet(key: string, fields: string[]): Promise<Array<string | null>>;
  publish(channel: string, message: string): Promise<number>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  time(): Promise<unknown>;
  duplicate(): RedisClient;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

type Report = {
  readonly from: string;
  readonly lockId: string;
  readonly kind: 'lock' | 'door';
  readonly state: string;
};

function validateLeaseMs(value: unknown): number {
  if (value === undefined) return DEFAULT_CLUSTER_LEASE_MS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1_000 || value > 600_000) {
    throw new InvalidArgumentError('leaseMs', value, 'an integer number of milliseconds from 1000 to 600000');
  }
  return value;
}

/** Connects to the cluster's Redis (the URL parsed, the package loaded and errors shown as the `redis://` store does). */
async function connectRedis(url: unknown): Promise<{ client: RedisClient; target: RedisTarget }> {
  if (typeof url !== 'string') throw new InvalidArgumentError('redis', url, 'a redis:// URL');
  const target = parseRedisUrl(url, 'redis');
  const { createClient } = await loadStorePackage('@keyv/redis', target.shown);
  // as the redis:// store's: a call while Redis is unreachable fails at once (a tick or a stop
  // never hangs), and a first connection that cannot be made fails the start
  const { client, connect } = relockRedisClient(target, createClient, 'redis');
  await connect();
  return { client: client as unknown as RedisClient, target };
}

class Cluster implements RelockCluster {
  member: string;
  readonly #base: string;
  #incarnation = 0;
  readonly #redis: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #clock: Clock;
  readonly #leaseMs: number;
  readonly #prefix: string;
  readonly #hub = new EventHub();
  readonly #clusterListeners = new Set<(event: ClusterEvent) => void>();
  readonly #configs = new Map<string, LockConfigInput>();
  /** lockId → `<member>|<token>` while this member holds the lock: its writes are fenced with it. */
  readonly #owned = new Map<string, string>();
  /** Locks whose actors run here: what the host's calls reach (a subset of `#owned`). */
  readonly #running = new Set<string>();
  /** Reports received for a lock while its claim was starting its actors: applied right after. */
  readonly #pendingReports = new Map<string, { lock?: LockState; door?: DoorState }>();
  /** This member's clock minus Redis's (`TIME`), measured when it joins. */
  #offset = 0;
  /** Given its locks by its host: only then do the others hand it a share. */
  #ready = false;
  #system!: ReleasableRelock;
  #renewTimer: TimerHandle | undefined;
  #renewing: Promise<void> | undefined;
  #placing: Promise<void> | undefined;
  #placeAgain = false;
  #stopped = false;

  constructor(redis: RedisClient, subscriber: RedisClient, clock: Clock, leaseMs: number, prefix: string) {
    this.#redis = redis;
    this.#subscriber = subscriber;
    this.#clock = clock;
    this.#leaseMs = leaseMs;
    this.#prefix = prefix;
    this.#base = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.member = `${this.#base}#0`;
  }

  async start(options: RelockClusterOptions): Promise<void> {
    const store = new FencedRedisStore(this.#redis, {
      ownerValue: (lockId) => this.#owned.get(lockId),
      ownKey: (lockId) => this.#key('own', lockId),
      memberKey: () => this.#key('member', this.member),
    });
    // the cluster's data lives under its own prefix too: several clusters can share one Redis
    const keyv = new Keyv({ store, namespace: `${this.#prefix}data`, throwOnErrors: true });
    const { redis: _redis, leaseMs: _lease, prefix: _prefix, ...relockOptions } = options;
    await this.#join();
    // every deadline is kept on Redis's clock (this member's clock less its offset), so a lock
    // taken over by a member whose clock disagrees fires when its owner meant it to
    const local = this.#clock;
    const clock: Clock = {
      now: () => local.now() - this.#offset,
      setTimeout: (callback, ms) => local.setTimeout(callback, ms),
      clearTimeout: (handle) => local.clearTimeout(handle),
    };
    this.#system = await startRelockSystem(
      { ...relockOptions, clock },
      { store: keyv, fence: (lockId) => this.#fence(lockId) },
    );
    this.#system.subscribe((event) => this.#hub.emit(event));
    await this.#subscriber.subscribe(this.#key('reports'), (message) => this.#onPublished(message));
  }

  #key(kind: string, id?: string): string {
    return id === undefined ? `${this.#prefix}${kind}` : `${this.#prefix}${kind}:${id}`;
  }

  #emitCluster(data: ClusterEventData): void {
    const event: ClusterEvent = { ...data, at: this.#clock.now() - this.#offset };
    for (const listener of [...this.#clusterListeners]) {
      try {
        listener(event);
      } catch {
        // a subscriber's failure is its own
      }
    }
  }

  #error(error: unknown, what?: string): void {
    const message = error instanceof Error ? error.message : String(error);
    this.#emitCluster({ type: 'cluster.error', member: this.member, message: what ? `${what}: ${message}` : message });
  }

  /** Takes the lease of this incarnation and measures the clock offset to Redis. */
  async #join(): Promise<void> {
    const before = this.#clock.now();
    const [seconds, micros] = (await this.#redis.time()) as unknown as [string | number, string | number];
    const after = this.#clock.now();
    const redisNow = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    if (Number.isFinite(redisNow)) this.#offset = (before + after) / 2 - redisNow;
    await this.#redis.set(this.#key('member', this.member), String(redisNow), { PX: this.#leaseMs, NX: true });
    if (this.#ready) await this.#redis.sAdd(this.#key('members'), this.member);
  }

  /** Renews the lease every third of it, on its own: a slow claim or release never delays it. */
  #scheduleRenewal(): void {
    if (this.#stopped) return;
    this.#renewTimer = this.#clock.setTimeout(
      () => {
        this.#renewTimer = undefined;
        void this.#renew().finally(() => {
          this.#scheduleRenewal();
          // placement follows, but the next renewal never waits for it
          void this.#requestPlacement();
        });
      },
      Math.floor(this.#leaseMs / 3),
    );
  }

  #renew(): Promise<void> {
    this.#renewing ??= (async () => {
      try {
        const renewed = await this.#redis.set(this.#key('member', this.member), 'live', {
          PX: this.#leaseMs,
          XX: true,
        });
        if (renewed === null && !this.#stopped) await this.#loseAll();
      } catch (error) {
        this.#error(error, 'lease renewal');
      }
    })().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  /** Starts a placement pass unless one runs (then one more follows it). */
  #requestPlacement(): Promise<void> {
    if (this.#placing !== undefined) {
      this.#placeAgain = true;
      return this.#placing;
    }
    this.#placing = (async () => {
      do {
        this.#placeAgain = false;
        try {
          await this.#place(await this.#liveMembers());
        } catch (error) {
          this.#error(error, 'placement');
        }
      } while (this.#placeAgain && !this.#stopped);
    })().finally(() => {
      this.#placing = undefined;
    });
    return this.#placing;
  }

  async rebalance(): Promise<void> {
    if (this.#stopped) return;
    await this.#renew();
    await this.#requestPlacement();
  }

  /** The lease passed (a pause, or Redis cut off longer than the lease): drop every lock, join again. */
  async #loseAll(): Promise<void> {
    const lockIds = [...this.#owned.keys()];
    this.#owned.clear(); // from now on every write of these locks is refused here, before Redis
    for (const lockId of lockIds) this.#running.delete(lockId);
    for (const lockId of lockIds) await this.#system.releaseLock(lockId).catch(() => {});
    this.#emitCluster({ type: 'cluster.lease-lost', member: this.member, lockIds });
    await this.#redis.sRem(this.#key('members'), this.member).catch(() => 0);
    this.#incarnation += 1;
    this.member = `${this.#base}#${this.#incarnation}`;
    await this.#join();
  }

  async #liveMembers(): Promise<string[]> {
    const members = await this.#redis.sMembers(this.#key('members'));
    const alive = await Promise.all(members.map((member) => this.#redis.exists(this.#key('member', member))));
    const live: string[] = [];
    await Promise.all(
      members.map((member, i) => {
        if (alive[i] === 1) live.push(member);
        else return this.#redis.sRem(this.#key('members'), member);
        return undefined;
      }),
    );
    if (this.#ready && !live.includes(this.member)) live.push(this.member);
    return live;
  }

  async #place(live: readonly string[]): Promise<void> {
    const toRelease: string[] = [];
    const toClaim: string[] = [];
    for (const lockId of this.#configs.keys()) {
      const mine = rendezvousOwner(lockId, live) === this.member;
      if (mine && !this.#owned.has(lockId)) toClaim.push(lockId);
      if (!mine && this.#running.has(lockId)) toRelease.push(lockId);
    }
    if (toRelease.length > 0) await this.#release(toRelease);
    if (toClaim.length > 0) await this.#claim(toClaim);
  }

  /** Hands locks to their next owner: no call reaches them here any more, their state stays stored. */
  async #release(lockIds: readonly string[]): Promise<void> {
    for (const lockId of lockIds) this.#running.delete(lockId);
    // each retires once no fire or store call of its timer is in flight (the lease is renewed meanwhile)
    await Promise.all(lockIds.map((lockId) => this.#system.releaseLock(lockId).catch(() => {})));
    await this.#system.flush();
    await Promise.all(lockIds.map((lockId) => this.#letGo(lockId)));
    this.#emitCluster({ type: 'cluster.released', member: this.member, lockIds });
  }

  /** Deletes this member's ownership of a lock in Redis (if it still holds it). */
  async #letGo(lockId: string): Promise<void> {
    const value = this.#owned.get(lockId);
    this.#owned.delete(lockId);
    if (value !== undefined) {
      await this.#redis.eval(RELEASE, { keys: [this.#key('own', lockId)], arguments: [value] }).catch(() => 0);
    }
  }

  async #claim(lockIds: readonly string[]): Promise<void> {
    const results = await Promise.all(
      lockIds.map((lockId) =>
        this.#redis.eval(CLAIM, {
          keys: [this.#key('own', lockId), this.#key('member', this.member), this.#key('fence', lockId)],
          arguments: [this.member, this.#key('member', '')],
        }),
      ),
    );
    const claimed: string[] = [];
    results.forEach((value, i) => {
      const lockId = lockIds[i] as string;
      if (typeof value === 'string') {
        this.#owned.set(lockId, value);
        this.#pendingReports.set(lockId, {});
        claimed.push(lockId);
      }
    });
    // removed by the host while the claim ran: let go at once
    const gone = claimed.filter((lockId) => !this.#configs.has(lockId));
    await Promise.all(gone.map((lockId) => this.#letGo(lockId)));
    const starting = claimed.filter((lockId) => this.#configs.has(lockId));
    if (starting.length === 0) return;
    const configs = starting.map((lockId) => this.#configs.get(lockId) as LockConfigInput);
    try {
      await this.#system.addLocks(configs);
    } catch (error) {
      // the store could not be read: let the locks go, a member tries again at a later pass
      for (const lockId of starting) this.#pendingReports.delete(lockId);
      await Promise.all(starting.map((lockId) => this.#letGo(lockId)));
      throw error;
    }
    const stored = await this.#storedReports(starting).catch((error: unknown) => {
      this.#error(error, 'reading the stored reports');
      return undefined;
    });
    const running: string[] = [];
    for (const [i, lockId] of starting.entries()) {
      const pending = this.#pendingReports.get(lockId) ?? {};
      this.#pendingReports.delete(lockId);
      if (!this.#owned.has(lockId)) continue; // lost meanwhile (the lease passed)
      if (!this.#configs.has(lockId)) {
        // removed by the host while its actors started
        await this.#system.removeLock(lockId).catch(() => {});
        await this.#letGo(lockId);
        continue;
      }
      const config = this.#configs.get(lockId) as LockConfigInput;
      if (config !== configs[i]) await this.#system.updateLock(config).catch((error) => this.#error(error, lockId));
      this.#running.add(lockId);
      running.push(lockId);
      const door = pending.door ?? stored?.doors[i];
      const lock = pending.lock ?? stored?.locks[i];
      if (door !== undefined) this.#system.reportDoorState(lockId, door);
      if (lock !== undefined) this.#system.reportLockState(lockId, lock);
    }
    if (running.length > 0) this.#emitCluster({ type: 'cluster.claimed', member: this.member, lockIds: running });
  }

  /** The latest report any member stored for each lock. */
  async #storedReports(
    lockIds: readonly string[],
  ): Promise<{ locks: Array<LockState | undefined>; doors: Array<DoorState | undefined> }> {
    const [locks, doors] = await Promise.all([
      this.#redis.hmGet(this.#key('reports', 'lock'), [...lockIds]),
      this.#redis.hmGet(this.#key('reports', 'door'), [...lockIds]),
    ]);
    return {
      locks: locks.map((state) => (state != null && isLockState(state) ? state : undefined)),
      doors: doors.map((state) => (state != null && isDoorState(state) ? state : undefined)),
    };
  }

  /** Refuses a command unless Redis confirms, now, that this member owns the lock and its lease holds. */
  async #fence(lockId: string): Promise<{ readonly token: number } | 'not-owner'> {
    const value = this.#owned.get(lockId);
    if (value === undefined) return 'not-owner';
    const left = Number(
      await this.#redis.eval(CHECK, {
        keys: [this.#key('own', lockId), this.#key('member', this.member)],
        arguments: [value],
      }),
    );
    if (left <= 0) return 'not-owner';
    return { token: Number(value.slice(value.lastIndexOf('|') + 1)) };
  }

  /** A report reaches the lock's actors here, or waits for them while they start. */
  #deliver(lockId: string, kind: 'lock' | 'door', state: LockState | DoorState): void {
    const pending = this.#pendingReports.get(lockId);
    if (pending !== undefined) {
      if (kind === 'lock') pending.lock = state as LockState;
      else pending.door = state as DoorState;
      return;
    }
    if (!this.#running.has(lockId)) return;
    if (kind === 'lock') this.#system.reportLockState(lockId, state as LockState);
    else this.#system.reportDoorState(lockId, state as DoorState);
  }

  #onPublished(message: string): void {
    let report: Report;
    try {
      report = JSON.parse(message) as Report;
    } catch {
      return;
    }
    if (report.from === this.member) return;
    if (report.kind === 'lock' && isLockState(report.state)) this.#deliver(report.lockId, 'lock', report.state);
    if (report.kind === 'door' && isDoorState(report.state)) this.#deliver(report.lockId, 'door', report.state);
  }

  #report(lockId: string, kind: 'lock' | 'door', state: LockState | DoorState): void {
    this.#deliver(lockId, kind, state);
    const report: Report = { from: this.member, lockId, kind, state };
    void this.#redis
      .hSet(this.#key('reports', kind), lockId, state)
      .then(() => this.#redis.publish(this.#key('reports'), JSON.stringify(report)))
      .catch((error: unknown) => this.#error(error, `a ${kind} report for ${lockId} could not be shared`));
  }

  #owner(lockId: string): ReleasableRelock {
    if (!this.#running.has(lockId)) throw new LockNotOwnedError(lockId);
    return this.#system;
  }

  async addLocks(configs: readonly LockConfigInput[]): Promise<void> {
    configs.forEach((config, i) => {
      parseLockConfig(config, configs.length === 1 ? 'config' : `configs[${i}]`);
    });
    for (const config of configs) this.#configs.set(config.id, config);
    if (!this.#ready) {
      this.#ready = true;
      await this.#redis.sAdd(this.#key('members'), this.member);
    }
    await this.rebalance();
  }

  async updateLock(config: LockConfigInput): Promise<void> {
    parseLockConfig(config);
    this.#configs.set(config.id, config);
    if (this.#running.has(config.id)) await this.#system.updateLock(config);
  }

  async removeLock(lockId: string): Promise<void> {
    this.#configs.delete(lockId);
    if (!this.#running.has(lockId)) return; // a claim under way lets it go when it sees it removed
    this.#running.delete(lockId);
    await this.#system.removeLock(lockId);
    await this.#letGo(lockId);
  }

  reportLockState(lockId: string, state: LockState): void {
    if (!isLockState(state)) throw new InvalidArgumentError('state', state, 'locked, unlocked, jammed or unknown');
    this.#report(lockId, 'lock', state);
  }

  reportDoorState(lockId: string, state: DoorState): void {
    if (!isDoorState(state)) throw new InvalidArgumentError('state', state, 'open, closed or unknown');
    this.#report(lockId, 'door', state);
  }

  async startAutolock(lockId: string, durationSeconds?: number): Promise<void> {
    return this.#owner(lockId).startAutolock(lockId, durationSeconds);
  }

  async cancelAutolock(lockId: string): Promise<void> {
    return this.#owner(lockId).cancelAutolock(lockId);
  }

  async extendAutolock(lockId: string, seconds: number): Promise<void> {
    return this.#owner(lockId).extendAutolock(lockId, seconds);
  }

  setAutolock(lockId: string, settings: AutolockSettingsInput): void {
    this.#owner(lockId).setAutolock(lockId, settings);
  }

  status(lockId: string): LockStatus {
    return this.#owner(lockId).status(lockId);
  }

  owns(lockId: string): boolean {
    return this.#running.has(lockId);
  }

  flush(): Promise<void> {
    return this.#system.flush();
  }

  ownedLockIds(): string[] {
    return [...this.#running];
  }

  subscribe(listener: (event: RelockEvent | ClusterEvent) => void): () => void {
    const off = this.#hub.subscribe(listener);
    this.#clusterListeners.add(listener);
    return () => {
      off();
      this.#clusterListeners.delete(listener);
    };
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#renewTimer !== undefined) this.#clock.clearTimeout(this.#renewTimer);
    await Promise.allSettled([this.#renewing, this.#placing]);
    const owned = [...this.#owned.entries()];
    this.#running.clear();
    await this.#system.stop();
    this.#owned.clear();
    await Promise.all(
      owned.map(([lockId, value]) =>
        this.#redis.eval(RELEASE, { keys: [this.#key('own', lockId)], arguments: [value] }).catch(() => 0),
      ),
    );
    await this.#redis.del(this.#key('member', this.member)).catch(() => 0);
    await this.#redis.sRem(this.#key('members'), this.member).catch(() => 0);
    await Promise.all([this.#quit(this.#subscriber), this.#quit(this.#redis)]);
  }

  async #quit(client: RedisClient): Promise<void> {
    await (client.close ?? client.quit)?.call(client).catch(() => {});
  }

  begin(): void {
    this.#scheduleRenewal();
  }
}

/** Joins (or starts) the cluster of relock processes on one Redis; resolves once this member has claimed its first locks. */
export async function createRelockCluster(options: RelockClusterOptions): Promise<RelockCluster> {
  const leaseMs = validateLeaseMs(options.leaseMs);
  const prefix = options.prefix ?? 'relock:cluster:';
  if (typeof prefix !== 'string' || prefix.length === 0) {
    throw new InvalidArgumentError('prefix', prefix, 'a non-empty string');
  }
  const { client: redis, target } = await connectRedis(options.redis);
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {});
  await subscriber.connect().catch(async (error: unknown) => {
    await redis.close?.().catch(() => {});
    throw new StoreError('open', target.shown, scrubbed(error, target.password));
  });
  const cluster = new Cluster(redis, subscriber, options.clock ?? systemClock, leaseMs, prefix);
  await cluster.start(options);
  cluster.begin();
  return cluster;
}
