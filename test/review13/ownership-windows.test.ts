/**
 * Theme: the windows in which a member's `owns(id)` says one thing and its relock system another.
 * `#claim` records a lock as owned before its actors exist (`takeOverLocks` still reading the
 * store), and `#release` retires a lock's actors before it forgets owning it. In those windows
 * every call that trusts `#owned` (a host's report, a published report from another member,
 * `status`, `updateLock`, `removeLock`, a command) reaches a system that has no such lock and
 * throws `LockNotFoundError`, from inside the cluster's own code.
 *
 * The windows are widened with many locks (their store reads and releases take a while), and
 * found by polling between event-loop turns: no timing is assumed.
 */
import { expect, it } from 'vitest';
import type { RelockCluster } from '../../src/cluster/relock-cluster.js';
import { rendezvousOwner } from '../../src/cluster/rendezvous.js';
import { LockNotOwnedError } from '../../src/errors.js';
import { describeWithRedis } from '../support/redis-server.js';
import { eventually, lockConfig, MINUTE, newClock, useRig } from './harness.js';

const MANY = 800;
const configs = Array.from({ length: MANY }, (_, i) => lockConfig(`unit-${i}`));

/** Whether the member says it owns the lock while its relock system has no such lock. */
function inWindow(member: RelockCluster, lockId: string): boolean {
  if (!member.owns(lockId)) return false;
  try {
    member.status(lockId);
    return false;
  } catch (error) {
    return !(error instanceof LockNotOwnedError);
  }
}

async function untilWindow(member: RelockCluster, lockId: string): Promise<boolean> {
  for (let i = 0; i < 20_000; i++) {
    if (inWindow(member, lockId)) return true;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return false;
}

describeWithRedis('review 13: a lock owned on paper but not yet (or no longer) running', () => {
  const rig = useRig();

  /** a owns every lock; then a dies and b (given every lock) is about to take them all over. */
  async function takeoverPending() {
    const clock = newClock();
    const a = await rig.join(clock);
    await a.addLocks(configs);
    const b = await rig.join(clock);
    // b is given the locks while a lives: it claims none of them
    await b.addLocks(configs);
    await rig.admin().del(`${rig.prefix()}member:${a.member}`);
    // and a is gone for good (in this one test process it would otherwise rejoin at its next tick)
    await a.stop();
    return { clock, a, b };
  }

  it('during a claim, owns(id) is true only once status(id) works (never LockNotFoundError)', async () => {
    const { b } = await takeoverPending();
    const lockId = 'unit-0';
    const tick = b.rebalance();
    const seen = await untilWindow(b, lockId);
    await tick;
    expect(seen).toBe(false);
  });

  it("a host's report to a member during its claim is neither thrown back nor lost", async () => {
    const { clock, b } = await takeoverPending();
    const lockId = 'unit-0';
    const tick = b.rebalance();
    await untilWindow(b, lockId);
    let thrown: unknown;
    try {
      b.reportLockState(lockId, 'unlocked');
    } catch (error) {
      thrown = error;
    }
    await tick;
    expect(thrown).toBeUndefined();
    await rig.settle();
    await rig.advance(clock, 0);
    // the report counts: the door was unlocked, so its autolock runs and fires
    await rig.advance(clock, 5 * MINUTE);
    expect(await eventually(() => rig.count(lockId) === 1)).toBe(true);
  });

  it('updateLock during a claim is applied to the lock the claim starts', async () => {
    const { b } = await takeoverPending();
    const lockId = 'unit-0';
    const tick = b.rebalance();
    await untilWindow(b, lockId);
    const update = b.updateLock({ ...lockConfig(lockId), name: 'Renamed during the claim' });
    const outcome = await update.then(
      () => 'resolved',
      (error: unknown) => (error instanceof Error ? error.name : String(error)),
    );
    await tick;
    expect(outcome).toBe('resolved');
    expect(b.status(lockId).name).toBe('Renamed during the claim');
  });

  it('removeLock during a claim: once it resolves, the member neither owns nor fires the lock', async () => {
    const { clock, b } = await takeoverPending();
    const lockId = 'unit-0';
    const tick = b.rebalance();
    await untilWindow(b, lockId);
    const outcome = await b.removeLock(lockId).then(
      () => 'resolved',
      (error: unknown) => (error instanceof Error ? error.name : String(error)),
    );
    await tick;
    expect(outcome).toBe('resolved');
    expect(b.owns(lockId)).toBe(false);
    // and the lock, removed by the host, is not left running: a report and time change nothing
    expect(() => b.reportLockState(lockId, 'unlocked')).not.toThrow();
    await rig.settle();
    await rig.advance(clock, 10 * MINUTE);
    await rig.settle();
    expect(rig.count(lockId)).toBe(0);
    expect(b.ownedLockIds()).not.toContain(lockId);
  });

  it('a report published by another member while the owner is claiming reaches the lock and throws nowhere', async () => {
    const clock = newClock();
    const a = await rig.join(clock);
    await a.addLocks(configs);
    const b = await rig.join(clock);
    await b.addLocks(configs);
    const c = await rig.join(clock);
    await c.addLocks(configs);
    await rig.admin().del(`${rig.prefix()}member:${a.member}`);
    // the lock's next owner is b or c, whichever the rendezvous picks; the other one reports
    await c.rebalance(); // c sees a gone; claims its share
    const lockId = configs.map((config) => config.id).find((id) => !c.owns(id)) as string;
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    process.on('uncaughtException', onError);
    try {
      const tick = b.rebalance();
      await untilWindow(b, lockId);
      c.reportLockState(lockId, 'unlocked');
      await tick;
      await rig.settle();
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(errors).toEqual([]);
    expect(b.owns(lockId)).toBe(true);
    await rig.advance(clock, 0);
    // the report after the autolock's command: the door was unlocked again, a new countdown runs
    expect(b.status(lockId).lockState).toBe('unlocked');
    expect(b.status(lockId).running).toBe(true);
  });

  /**
   * a owns every lock; b joins. The last lock a lets go has a fire in flight (its driver call
   * hangs until `finish()`), so a's release waits there, while the locks it let go before are
   * retired but still in `owns()`.
   */
  async function releasePending() {
    const clock = newClock();
    const few = configs.slice(0, 40);
    const a = await rig.join(clock);
    await a.addLocks(few);
    // every lock's fire hangs in the driver until let go
    const finishers = new Map<string, () => void>();
    rig.driverBehaviour = (lock) =>
      new Promise<void>((resolve) => {
        finishers.set(lock.id, resolve);
      });
    for (const config of few) a.reportLockState(config.id, 'unlocked');
    await rig.settle();
    await rig.advance(clock, 0);
    await rig.advance(clock, 5 * MINUTE);
    expect(await eventually(() => finishers.size === few.length)).toBe(true);
    const b = await rig.join(clock);
    await b.addLocks(few);
    const moving = few
      .map((config) => config.id)
      .filter((id) => rendezvousOwner(id, [a.member, b.member]) === b.member);
    expect(moving.length).toBeGreaterThan(1);
    const slow = moving[moving.length - 1] as string;
    for (const [id, finish] of finishers) if (id !== slow) finish();
    await rig.settle();
    const tick = a.rebalance();
    const lockId = moving[0] as string;
    // the release has begun: a no longer runs the lock (it waits for the slow lock's fire)
    let seen = false;
    for (let i = 0; i < 20_000 && !seen; i++) {
      seen = !a.owns(lockId);
      if (!seen) await new Promise((resolve) => setImmediate(resolve));
    }
    return { clock, a, b, tick, lockId, seen, finish: () => finishers.get(slow)?.() };
  }

  it('during a release, a report the releasing member receives is neither thrown back nor lost: the next owner applies it', async () => {
    const { clock, a, b, tick, lockId, seen, finish } = await releasePending();
    expect(seen).toBe(true);
    let thrown: unknown;
    try {
      // a change: the lock reports it is locked (its record, a lock reporting no state, says unlocked)
      a.reportLockState(lockId, 'locked');
    } catch (error) {
      thrown = error;
    }
    finish();
    await tick;
    await b.rebalance();
    expect(b.owns(lockId)).toBe(true);
    await rig.settle();
    await rig.advance(clock, 0);
    // the report reached the next owner: the lock is locked there
    expect(b.status(lockId).lockState).toBe('locked');
    expect(thrown).toBeUndefined();
  });

  it('a command during a release rejects with LockNotOwnedError (what the README tells a host to retry on), not LockNotFoundError', async () => {
    const { a, tick, lockId, seen, finish } = await releasePending();
    expect(seen).toBe(true);
    const rejection = await a.startAutolock(lockId, 60).then(
      () => undefined,
      (error: unknown) => error,
    );
    finish();
    await tick;
    expect(rejection).toBeInstanceOf(LockNotOwnedError);
  });
});
