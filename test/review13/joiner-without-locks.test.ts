/**
 * Theme: placement ignores whether a member knows a lock. A process is a live member from
 * `createRelockCluster` on, before its host has called `addLocks` (a host loading thousands of
 * locks from its database, a process that crashed during start-up, a member given a subset). The
 * others compute the rendezvous over every live member and let that member's share go at their
 * next tick; it claims nothing it was not given. Those locks have no owner, and their autolocks
 * do not fire, for as long as the newcomer's host takes (unbounded: not "within the lease").
 */
import { expect, it } from 'vitest';
import { describeWithRedis } from '../support/redis-server.js';
import { locks, newClock, useRig } from './harness.js';

describeWithRedis('review 13: a member that joined but was given no locks yet', () => {
  const rig = useRig();

  it('every lock keeps an owner while a newcomer has not been given the locks', async () => {
    const clock = newClock();
    const a = await rig.join(clock);
    await a.addLocks(locks(20));
    expect(a.ownedLockIds()).toHaveLength(20);
    // a newcomer joins; its host has not given it the locks yet
    await rig.join(clock);
    await a.rebalance();
    const owners = await rig.admin().keys(`${rig.prefix()}own:*`);
    expect(owners).toHaveLength(20);
  });

  it('every autolock due while a newcomer has not been given the locks fires (within the lease)', async () => {
    const clock = newClock();
    const a = await rig.join(clock);
    await a.addLocks(locks(20));
    for (const config of locks(20)) a.reportLockState(config.id, 'unlocked');
    await rig.settle();
    await rig.advance(clock, 0);
    await rig.join(clock);
    // past every end, and past a lease and more: the locks had all this time to find an owner
    for (let i = 0; i < 20; i++) await rig.advance(clock, 30_000);
    await rig.settle();
    const fired = new Set(rig.commands.map((command) => command.lockId));
    const missing = locks(20)
      .map((config) => config.id)
      .filter((id) => !fired.has(id));
    expect(missing).toEqual([]);
  });
});
