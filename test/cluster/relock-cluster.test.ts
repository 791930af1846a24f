/**
 * Many processes, one owner per lock (issue 13), in one test process: two or three cluster
 * members on a real Redis, their autolock timers on one ManualClock. A member's death is its lease
 * key vanishing (what Redis does when the lease passes), so no test waits for a lease in real time;
 * only Redis round-trips take real time (waited for, never slept through).
 */

import { createClient } from '@keyv/redis';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { createRelockCluster, type RelockCluster } from '../../src/cluster/relock-cluster.js';
import { InvalidArgumentError, LockNotOwnedError, StoreError } from '../../src/errors.js';
import type { LockDriver } from '../../src/ports/lock-driver.js';
import { describeWithRedis, type RedisServer, startRedis } from '../support/redis-server.js';

const MINUTE = 60_000;
/** How long a wait for Redis I/O may take before it counts as a hang (it takes milliseconds). */
const IO = { timeout: 15_000, interval: 20 };

describeWithRedis('relock cluster on a real Redis', () => {
  let redis: RedisServer;
  let admin: ReturnType<typeof createClient>;
  const members: RelockCluster[] = [];
  let prefixCount = 0;
  let prefix = '';

  beforeAll(async () => {
    redis = await startRedis();
    admin = createClient({ url: redis.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.close();
    await redis.stop();
  });
  afterEach(async () => {
    for (const member of members.splice(0)) await member.stop().catch(() => {});
    await admin.flushAll();
  });

  /** One command log shared by every member: what a lock received, from which member, with which token. */
  const commands: Array<{ lockId: string; member: string; token: number | undefined }> = [];
  const driverOf = (name: () => string): LockDriver => ({
    lock: async (lock, { fencingToken }) => {
      commands.push({ lockId: lock.id, member: name(), token: fencingToken });
    },
  });

  async function join(clock: ManualClock, leaseMs = 10_000): Promise<RelockCluster> {
    let self: RelockCluster | undefined;
    const member = await createRelockCluster({
      redis: redis.url,
      prefix,
      leaseMs,
      clock,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      driver: driverOf(() => self?.member ?? '?'),
      actionTimeoutMs: 5_000,
    });
    self = member;
    members.push(member);
    return member;
  }

  const locks = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      id: `door-${i}`,
      name: `Door ${i}`,
      reportsLockState: false,
      autolock: { enabled: true, dayMinutes: 5, nightMinutes: 5 },
    }));

  /** Real I/O settles: every member's writes durable and one more Redis round trip. */
  async function settle(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      await admin.ping();
    }
  }

  /**
   * Simulated time never outruns real I/O: after each timer the clock waits for every member's
   * writes and a Redis round trip (`settleWith`), so no store call times out on the simulated clock
   * while Redis, in real time, has not yet had the moment to answer.
   */
  function io(clock: ManualClock): ManualClock {
    clock.settleWith(async () => {
      await settle();
      await Promise.all(members.map((member) => member.flush().catch(() => {})));
    });
    return clock;
  }

  async function advance(clock: ManualClock, ms: number): Promise<void> {
    await clock.advance(ms);
    await settle();
    await clock.advance(0);
    await settle();
  }

  it('a bad redis URL is refused naming the field, and its password is never shown', async () => {
    const refused = await createRelockCluster({
      redis: 'redis://:s3cret-pass@127.0.0.1:99999',
      driver: driverOf(() => '?'),
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidArgumentError);
    expect(String((refused as Error).message)).toMatch(/redis/);
    expect(String((refused as Error).message)).not.toContain('s3cret-pass');
  });

  it('a Redis that cannot be reached fails the start with a StoreError (it does not retry for ever)', async () => {
    const refused = await createRelockCluster({
      redis: 'redis://:s3cret-pass@127.0.0.1:1',
      driver: driverOf(() => '?'),
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StoreError);
    expect(String((refused as Error).message)).not.toContain('s3cret-pass');
  });

  it('each lock is owned by exactly one member, and a member that joins takes its share', async () => {
    prefix = `t${++prefixCount}:`;
    const clock = io(new ManualClock());
    const a = await join(clock);
    const claimed: Array<{ type: string; at: number }> = [];
    a.subscribe((event) => {
      if (event.type === 'cluster.claimed') claimed.push(event);
    });
    await a.addLocks(locks(30));
    expect(a.ownedLockIds()).toHaveLength(30);
    // stamped on Redis's clock, as the member's lock events are (its own clock is a simulated one)
    const [seconds] = await admin.time();
    expect(Math.abs((claimed[0]?.at ?? 0) - Number(seconds) * 1000)).toBeLessThan(5_000);
    const b = await join(clock);
    await b.addLocks(locks(30));
    // never taken from a live member: the newcomer gets its share once the owner lets it go
    expect(b.ownedLockIds()).toEqual([]);
    await a.rebalance();
    await b.rebalance();
    const owned = [...a.ownedLockIds(), ...b.ownedLockIds()].sort();
    expect(owned).toEqual(
      locks(30)
        .map((lock) => lock.id)
        .sort(),
    );
    expect(a.ownedLockIds().length).toBeGreaterThan(0);
    expect(b.ownedLockIds().length).toBeGreaterThan(0);
  });

  it('when an owner dies mid-countdown, another member takes its locks and fires each once, with a larger token', async () => {
    prefix = `t${++prefixCount}:`;
    commands.length = 0;
    const clock = io(new ManualClock());
    const a = await join(clock);
    const b = await join(clock);
    await a.addLocks(locks(20));
    await b.addLocks(locks(20));
    await a.rebalance();
    await b.rebalance();
    for (const lock of locks(20)) (a.owns(lock.id) ? a : b).reportLockState(lock.id, 'unlocked');
    await settle();
    await advance(clock, MINUTE);
    const ofA = a.ownedLockIds();
    const trace: string[] = [];
    for (const [name, m] of [
      ['a', a],
      ['b', b],
    ] as const)
      m.subscribe((e) => {
        if (e.type.startsWith('cluster') || e.type === 'autolock.fired' || e.type === 'store.error')
          trace.push(`${name} ${clock.now()} ${JSON.stringify(e).slice(0, 160)}`);
      });
    expect(ofA.length).toBeGreaterThan(0);
    const tokenOf = async (lockId: string) => Number((await admin.get(`${prefix}own:${lockId}`))?.split('|')[1]);
    const oldTokens = new Map(await Promise.all(ofA.map(async (id) => [id, await tokenOf(id)] as const)));
    // a dies: its lease key goes, as when Redis expires it
    await admin.del(`${prefix}member:${a.member}`);
    await b.rebalance();
    expect(b.ownedLockIds().sort()).toEqual(
      locks(20)
        .map((lock) => lock.id)
        .sort(),
    );
    await advance(clock, 5 * MINUTE);
    // locks handed to the first member's new incarnation meanwhile are claimed at its next ticks
    for (let i = 0; i < 4; i++) await advance(clock, 4_000);
    // every command first asks Redis whether its member still owns the lock: real I/O
    await vi.waitFor(
      () => expect(new Set(commands.map((command) => command.lockId)).size, trace.join('\n')).toBe(20),
      IO,
    );
    await settle();
    const perLock = new Map<string, number>();
    for (const command of commands) perLock.set(command.lockId, (perLock.get(command.lockId) ?? 0) + 1);
    expect([...perLock.values()].every((count) => count === 1)).toBe(true);
    expect(perLock.size).toBe(20);
    // the dead member, still running here, sent nothing under its old lease: every command for
    // its locks carries a token larger than its claim's (once its lease was gone it rejoined as a
    // new member, and any lock it got back came with a new token)
    const stale = commands.filter(
      (command) => ofA.includes(command.lockId) && !((command.token ?? 0) > (oldTokens.get(command.lockId) ?? 0)),
    );
    expect(stale).toEqual([]);
  });

  it('a member that wakes after its lease passed sends no command: Redis refuses its fence, the new owner fires once', async () => {
    prefix = `t${++prefixCount}:`;
    commands.length = 0;
    // each member on its own clock: the sleeper's deadline comes before its next lease tick
    const sleeperClock = io(new ManualClock());
    const otherClock = io(new ManualClock());
    const sleeper = await join(sleeperClock, 600_000);
    await sleeper.addLocks(locks(1));
    sleeper.reportLockState('door-0', 'unlocked');
    await settle();
    await advance(sleeperClock, 0);
    // a minute: well before its next lease tick (a third of 600 s)
    await sleeper.startAutolock('door-0', 60);
    expect(sleeper.status('door-0').running).toBe(true);
    // the sleeper is paused past its lease: Redis expires its key; another member takes the lock
    const sleeperToken = Number((await admin.get(`${prefix}own:door-0`))?.split('|')[1]);
    await admin.del(`${prefix}member:${sleeper.member}`);
    const other = await join(otherClock);
    const seen: string[] = [];
    other.subscribe((event) => seen.push(JSON.stringify(event)));
    await other.addLocks(locks(1));
    expect(other.owns('door-0')).toBe(true);
    await advance(otherClock, 5 * MINUTE);
    await vi.waitFor(
      () =>
        expect(commands, seen.join('\n')).toEqual([
          { lockId: 'door-0', member: other.member, token: expect.any(Number) },
        ]),
      IO,
    );
    expect(commands[0]?.token).toBeGreaterThan(sleeperToken);
    // the sleeper wakes: its countdown is due before its lease tick notices anything
    await advance(sleeperClock, MINUTE);
    expect(commands).toHaveLength(1);
  });

  it('a member whose lease passed writes nothing: its writes are refused by Redis', async () => {
    prefix = `t${++prefixCount}:`;
    const clock = io(new ManualClock());
    const a = await join(clock);
    await a.addLocks(locks(1));
    await admin.del(`${prefix}member:${a.member}`);
    const errors: string[] = [];
    a.subscribe((event) => {
      if (event.type === 'store.error') errors.push(event.message);
    });
    await expect(a.startAutolock('door-0', 60)).rejects.toThrow();
    expect(await admin.get(`${prefix}data:timer:door-0`)).toBeNull();
    expect(await admin.keys(`${prefix}data:timer:*`)).toEqual([]);
    expect(errors.join('\n')).toMatch(/refused/);
  });

  it('an acknowledged cancel stays cancelled when another member takes the lock over', async () => {
    prefix = `t${++prefixCount}:`;
    commands.length = 0;
    const clock = io(new ManualClock());
    const a = await join(clock);
    await a.addLocks(locks(1));
    a.reportLockState('door-0', 'unlocked');
    await settle();
    await advance(clock, 0);
    expect(a.status('door-0').running).toBe(true);
    await a.cancelAutolock('door-0');
    const b = await join(clock);
    await b.addLocks(locks(1));
    await admin.del(`${prefix}member:${a.member}`);
    await b.rebalance();
    expect(b.owns('door-0')).toBe(true);
    await advance(clock, 10 * MINUTE);
    expect(commands).toEqual([]);
  });

  it('commands go to the owner: elsewhere they reject with LockNotOwnedError; reports reach the owner from any member', async () => {
    prefix = `t${++prefixCount}:`;
    commands.length = 0;
    const clock = io(new ManualClock());
    const a = await join(clock);
    const b = await join(clock);
    await a.addLocks(locks(10));
    await b.addLocks(locks(10));
    await a.rebalance();
    await b.rebalance();
    const lockId = a.ownedLockIds()[0] as string;
    await expect(b.startAutolock(lockId, 60)).rejects.toThrow(LockNotOwnedError);
    b.reportLockState(lockId, 'unlocked');
    await vi.waitFor(() => expect(a.status(lockId).running).toBe(true), IO);
    await advance(clock, 5 * MINUTE);
    await vi.waitFor(() => expect(commands.map((command) => command.lockId)).toEqual([lockId]), IO);
  });
});
