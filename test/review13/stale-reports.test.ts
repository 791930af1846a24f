/**
 * Theme: the reports a member stores in Redis (`<p>reports:lock`, the latest per lock) are
 * applied by every later owner at its claim, however old they are. Probed: an `unlocked` its
 * autolock already answered must not start a second autolock at the next owner (held: the
 * record and the stored report agree, the lock stays `unlocked` with nothing running).
 */
import { expect, it } from 'vitest';
import { describeWithRedis } from '../support/redis-server.js';
import { lockConfig, MINUTE, newClock, useRig } from './harness.js';

describeWithRedis('review 13: stored reports replayed at a claim', () => {
  const rig = useRig();

  it('a lock that moves after its autolock fired starts no countdown at the new owner, and no second command is sent', async () => {
    const clock = newClock();
    const a = await rig.join(clock);
    // many locks, so some move to the newcomer whatever its random id
    const configs = Array.from({ length: 30 }, (_, i) => lockConfig(`porch-${i}`));
    await a.addLocks(configs);
    for (const config of configs) a.reportLockState(config.id, 'unlocked');
    await rig.settle();
    await rig.advance(clock, 0);
    await rig.advance(clock, 5 * MINUTE);
    await rig.settle();
    expect(rig.commands).toHaveLength(30);
    const b = await rig.join(clock);
    await b.addLocks(configs);
    await a.rebalance();
    await b.rebalance();
    const moved = b.ownedLockIds();
    expect(moved.length).toBeGreaterThan(0);
    // every moved lock is as its last owner left it: no countdown (a lock that reports no lock
    // state stays `unlocked` after its command, as with one process)
    const countingDown = moved.filter((id) => b.status(id).running);
    await rig.advance(clock, 10 * MINUTE);
    await rig.settle();
    const twice = configs.map((config) => config.id).filter((id) => rig.count(id) > 1);
    expect(twice).toEqual([]);
    expect(countingDown).toEqual([]);
  });

  it('a cancelled autolock stays cancelled after the owner dies, even when the door was locked by the autolock in between', async () => {
    const clock = newClock();
    const a = await rig.join(clock);
    const config = lockConfig('side');
    await a.addLocks([config]);
    // unlocked, autolocked (one command), then nothing more from the host
    a.reportLockState('side', 'unlocked');
    await rig.settle();
    await rig.advance(clock, 0);
    await rig.advance(clock, 5 * MINUTE);
    await rig.settle();
    expect(rig.count('side')).toBe(1);
    const b = await rig.join(clock);
    await b.addLocks([config]);
    // a dies
    await rig.admin().del(`${rig.prefix()}member:${a.member}`);
    await b.rebalance();
    expect(b.owns('side')).toBe(true);
    await rig.advance(clock, 10 * MINUTE);
    await rig.settle();
    expect(rig.count('side')).toBe(1);
  });
});
