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
 * - a taken-over lock resumes its stored cycle (a countdown, a retry, a confirmation) and starts
 *   none by itself: an autolock the host cancelled stays cancelled across a failover;
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
import { InvalidArgumentError, LockNotOwnedError } from '../errors.js';
import { EventHub, type RelockEvent } from '../events.js';
import { type AutolockSettingsInput, type LockConfigInput, parseLockConfig } from '../model/lock-config.js';
import { type DoorState, isDoorState, isLockState, type LockState } from '../model/lock-runtime.js';
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

export type ClusterEvent =
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

function redactedUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//[credentials]@');
}

async function connectRedis(url: string): Promise<RedisClient> {
  if (typeof url !== 'string' || !/^rediss?:\/\/./.test(url)) {
    throw new InvalidArgumentError('redis', typeof url === 'string' ? redactedUrl(url) : url, 'a redis:// URL');
  }
  let module: { createClient: (options: { url: string }) => unknown };
  try {
    module = (await import('@keyv/redis')) as unknown as typeof module;
  } catch {
    throw new InvalidArgumentError(
      'redis',
      redactedUrl(url),
      'the package @keyv/redis installed (npm install @keyv/redis)',
    );
  }
  const client = module.createClient({ url }) as RedisClient;
  client.on('error', () => {
    // reported where a command fails; node-redis reconnects on its own
  });
  await client.connect();
  return client;
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
  /** lockId → `<member>|<token>` while this member owns it (and its actors run). */
  readonly #owned = new Map<string, string>();
  #system!: ReleasableRelock;
  #timer: TimerHandle | undefined;
  #ticking: Promise<void> | undefined;
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
    this.#system = await startRelockSystem(relockOptions, { store: keyv, fence: (lockId) => this.#fence(lockId) });
    this.#system.subscribe((event) => this.#hub.emit(event));
    await this.#subscriber.subscribe(this.#key('reports'), (message) => this.#onPublished(message));
    await this.#join();
    await this.rebalance();
  }

  #key(kind: string, id?: string): string {
    return id === undefined ? `${this.#prefix}${kind}` : `${this.#prefix}${kind}:${id}`;
  }

  #emitCluster(event: ClusterEvent): void {
    for (const listener of [...this.#clusterListeners]) {
      try {
        listener(event);
      } catch {
        // a subscriber's failure is its own
      }
    }
  }

  async #join(): Promise<void> {
    await this.#redis.set(this.#key('member', this.member), String(this.#clock.now()), { PX: this.#leaseMs, NX: true });
    await this.#redis.sAdd(this.#key('members'), this.member);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        void this.rebalance().finally(() => this.#schedule());
      },
      Math.floor(this.#leaseMs / 3),
    );
  }

  rebalance(): Promise<void> {
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    try {
      const renewed = await this.#redis.set(this.#key('member', this.member), String(this.#clock.now()), {
        PX: this.#leaseMs,
        XX: true,
      });
      if (renewed === null) await this.#loseAll();
      const live = await this.#liveMembers();
      await this.#place(live);
    } catch (error) {
      this.#emitCluster({
        type: 'cluster.error',
        member: this.member,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** The lease passed (a pause, or Redis cut off longer than the lease): drop every lock, join again. */
  async #loseAll(): Promise<void> {
    const lockIds = [...this.#owned.keys()];
    this.#owned.clear(); // from now on every write of these locks is refused here, before Redis
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
    if (!live.includes(this.member)) live.push(this.member);
    return live;
  }

  async #place(live: readonly string[]): Promise<void> {
    const toRelease: string[] = [];
    const toClaim: string[] = [];
    for (const lockId of this.#configs.keys()) {
      const mine = rendezvousOwner(lockId, live) === this.member;
      if (mine && !this.#owned.has(lockId)) toClaim.push(lockId);
      if (!mine && this.#owned.has(lockId)) toRelease.push(lockId);
    }
    // owned locks no longer configured here were removed by the host
    if (toRelease.length > 0) await this.#release(toRelease);
    if (toClaim.length > 0) await this.#claim(toClaim);
  }

  async #release(lockIds: readonly string[]): Promise<void> {
    for (const lockId of lockIds) await this.#system.releaseLock(lockId).catch(() => {});
    await this.#system.flush();
    await Promise.all(
      lockIds.map(async (lockId) => {
        const value = this.#owned.get(lockId);
        this.#owned.delete(lockId);
        if (value !== undefined) {
          await this.#redis.eval(RELEASE, { keys: [this.#key('own', lockId)], arguments: [value] });
        }
      }),
    );
    this.#emitCluster({ type: 'cluster.released', member: this.member, lockIds });
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
      if (typeof value === 'string' && this.#configs.has(lockId)) {
        this.#owned.set(lockId, value);
        claimed.push(lockId);
      }
    });
    if (claimed.length === 0) return;
    const configs = claimed.map((lockId) => this.#configs.get(lockId) as LockConfigInput);
    try {
      await this.#system.takeOverLocks(configs);
    } catch (error) {
      // the store could not be read: let the lease go, a member tries again at a later tick
      for (const lockId of claimed) {
        const value = this.#owned.get(lockId);
        this.#owned.delete(lockId);
        if (value !== undefined) {
          await this.#redis.eval(RELEASE, { keys: [this.#key('own', lockId)], arguments: [value] }).catch(() => 0);
        }
      }
      throw error;
    }
    await this.#applyStoredReports(claimed);
    this.#emitCluster({ type: 'cluster.claimed', member: this.member, lockIds: claimed });
  }

  /** The latest report any member stored for each lock, applied once its actors run here. */
  async #applyStoredReports(lockIds: readonly string[]): Promise<void> {
    const [locks, doors] = await Promise.all([
      this.#redis.hmGet(this.#key('reports', 'lock'), [...lockIds]),
      this.#redis.hmGet(this.#key('reports', 'door'), [...lockIds]),
    ]);
    lockIds.forEach((lockId, i) => {
      if (!this.#owned.has(lockId)) return;
      const door = doors[i];
      const lock = locks[i];
      if (door != null && isDoorState(door)) this.#system.reportDoorState(lockId, door);
      if (lock != null && isLockState(lock)) this.#system.reportLockState(lockId, lock);
    });
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

  #onPublished(message: string): void {
    let report: Report;
    try {
      report = JSON.parse(message) as Report;
    } catch {
      return;
    }
    if (report.from === this.member || !this.#owned.has(report.lockId)) return;
    if (report.kind === 'lock' && isLockState(report.state)) this.#system.reportLockState(report.lockId, report.state);
    if (report.kind === 'door' && isDoorState(report.state)) this.#system.reportDoorState(report.lockId, report.state);
  }

  #report(lockId: string, kind: 'lock' | 'door', state: string): void {
    if (this.#owned.has(lockId)) {
      if (kind === 'lock') this.#system.reportLockState(lockId, state as LockState);
      else this.#system.reportDoorState(lockId, state as DoorState);
    }
    const report: Report = { from: this.member, lockId, kind, state };
    void this.#redis
      .hSet(this.#key('reports', kind), lockId, state)
      .then(() => this.#redis.publish(this.#key('reports'), JSON.stringify(report)))
      .catch((error: unknown) =>
        this.#emitCluster({
          type: 'cluster.error',
          member: this.member,
          message: `a ${kind} report for ${lockId} could not be shared: ${error instanceof Error ? error.message : String(error)}`,
        }),
      );
  }

  #owner(lockId: string): ReleasableRelock {
    if (!this.#owned.has(lockId)) throw new LockNotOwnedError(lockId);
    return this.#system;
  }

  async addLocks(configs: readonly LockConfigInput[]): Promise<void> {
    configs.forEach((config, i) => {
      parseLockConfig(config, configs.length === 1 ? 'config' : `configs[${i}]`);
    });
    for (const config of configs) this.#configs.set(config.id, config);
    await this.rebalance();
  }

  async updateLock(config: LockConfigInput): Promise<void> {
    parseLockConfig(config);
    this.#configs.set(config.id, config);
    if (this.#owned.has(config.id)) await this.#system.updateLock(config);
  }

  async removeLock(lockId: string): Promise<void> {
    this.#configs.delete(lockId);
    if (!this.#owned.has(lockId)) return;
    await this.#system.removeLock(lockId);
    const value = this.#owned.get(lockId);
    this.#owned.delete(lockId);
    if (value !== undefined) await this.#redis.eval(RELEASE, { keys: [this.#key('own', lockId)], arguments: [value] });
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
    return this.#owned.has(lockId);
  }

  ownedLockIds(): string[] {
    return [...this.#owned.keys()];
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
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    await this.#ticking;
    const owned = [...this.#owned.entries()];
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
    this.#schedule();
  }
}

/** Joins (or starts) the cluster of relock processes on one Redis; resolves once this member has claimed its first locks. */
export async function createRelockCluster(options: RelockClusterOptions): Promise<RelockCluster> {
  const leaseMs = validateLeaseMs(options.leaseMs);
  const prefix = options.prefix ?? 'relock:cluster:';
  if (typeof prefix !== 'string' || prefix.length === 0) {
    throw new InvalidArgumentError('prefix', prefix, 'a non-empty string');
  }
  const redis = await connectRedis(options.redis);
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {});
  await subscriber.connect();
  const cluster = new Cluster(redis, subscriber, options.clock ?? systemClock, leaseMs, prefix);
  await cluster.start(options);
  cluster.begin();
  return cluster;
}
