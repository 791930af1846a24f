/**
 * Theme: Redis restarted with persistence off (as `startRedis` runs it, and as a cache-style
 * Redis is often run): every key is gone, `fence:<lock>` with it, so the `INCR` of the next claim
 * starts again from 1. The README promises a driver that "keeps the largest token it has seen per
 * lock" can refuse a stale command: after the restart it refuses every command of the new owner.
 * Also probed: a countdown every member still holds in memory, when Redis comes back empty.
 */
import { expect, it } from 'vitest';
import { describeWithRedis } from '../support/redis-server.js';
import { eventually, lockConfig, MINUTE, newClock, useRig } from './harness.js';

describeWithRedis('review 13: Redis restarted empty', () => {
  const rig = useRig();

  async function fireOnce(
    clock: ReturnType<typeof newClock>,
    lockId: string,
    member: { reportLockState: (id: string, s: 'locked' | 'unlocked') => void },
  ) {
    const before = rig.count(lockId);
    // locked by hand, then unlocked: a new autolock cycle
    // (two reports apart: a burst of reports for one lock is coalesced to its last)
    member.reportLockState(lockId, 'locked');
    await rig.settle();
    await rig.advance(clock, 0);
    member.reportLockState(lockId, 'unlocked');
    await rig.settle();
    await rig.advance(clock, 0);
    await rig.advance(clock, 5 * MINUTE);
    expect(await eventually(() => rig.count(lockId) === before + 1)).toBe(true);
  }

  it('fencing tokens only grow: a command after a Redis restart carries a larger token than every command before it', async () => {
    const clock = newClock();
    const config = lockConfig('vault');
    const a = await rig.join(clock);
    await a.addLocks([config]);
    await fireOnce(clock, 'vault', a);
    // a dies; b takes the lock over with a larger token and fires it too
    const b = await rig.join(clock);
    await b.addLocks([config]);
    await rig.admin().del(`${rig.prefix()}member:${a.member}`);
    await b.rebalance();
    expect(b.owns('vault')).toBe(true);
    await fireOnce(clock, 'vault', b);
    const before = Math.max(...rig.commands.map((command) => command.token ?? 0));
    expect(before).toBeGreaterThan(0);
    // Redis restarts, empty; the members notice at their ticks and claim again
    await rig.redis().restart();
    await eventually(
      async () =>
        (await rig
          .admin()
          .ping()
          .catch(() => '')) === 'PONG',
    );
    const errors: string[] = [];
    for (const member of [a, b])
      member.subscribe((event) => event.type === 'cluster.error' && errors.push(event.message));
    // (the members' clients reconnect on their own)
    await eventually(async () => {
      await a.rebalance();
      await b.rebalance();
      return a.owns('vault') || b.owns('vault');
    });
    const owner = a.owns('vault') ? a : b;
    expect(owner.owns('vault')).toBe(true);
    await fireOnce(clock, 'vault', owner);
    const last = rig.commands[rig.commands.length - 1];
    expect(last?.token).toBeGreaterThan(before);
  });

  it('a countdown running when Redis restarts empty still fires: its owner holds it in memory', async () => {
    const clock = newClock();
    const a = await rig.join(clock);
    await a.addLocks([lockConfig('cellar')]);
    a.reportLockState('cellar', 'unlocked');
    await rig.settle();
    await rig.advance(clock, 0);
    expect(a.status('cellar').running).toBe(true);
    await rig.redis().restart();
    await eventually(
      async () =>
        (await rig
          .admin()
          .ping()
          .catch(() => '')) === 'PONG',
    );
    for (let i = 0; i < 12; i++) await rig.advance(clock, 60_000);
    await rig.settle();
    expect(rig.count('cellar')).toBe(1);
  });
});
