/**
 * Theme: members whose clocks disagree. A timer entry stores its end as an instant of the owner's
 * clock (`endsAt`); a new owner compares it with its own. A countdown taken over by a member whose
 * clock is behind fires late by the skew (beyond "the lease plus a small bound after its end");
 * by a member whose clock is ahead, early — a door locked in the face of the person who just
 * unlocked it. The lease itself is in Redis (PX): the members never notice they disagree.
 */
import { expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { describeWithRedis } from '../support/redis-server.js';
import { lockConfig, MINUTE, useRig } from './harness.js';

const HOUR = 60 * MINUTE;
const T = Date.UTC(2026, 0, 1, 12, 0, 0);

describeWithRedis('review 13: two members with clocks an hour apart', () => {
  const rig = useRig();

  async function handOver(ownerStart: number, heirStart: number) {
    const ownerClock = new ManualClock(ownerStart);
    const heirClock = new ManualClock(heirStart);
    const owner = await rig.join(ownerClock);
    await owner.addLocks([lockConfig('hall')]);
    await owner.startAutolock('hall', 5 * 60);
    const heir = await rig.join(heirClock);
    await heir.addLocks([lockConfig('hall')]);
    // the owner dies at once, its countdown just started
    await rig.admin().del(`${rig.prefix()}member:${owner.member}`);
    await heir.rebalance();
    expect(heir.owns('hall')).toBe(true);
    await rig.advance(heirClock, 0);
    return { heirClock, heir };
  }

  it('a countdown taken over by a member whose clock is an hour behind fires within the lease (+ a bound) after its 5 minutes', async () => {
    const { heirClock } = await handOver(T + HOUR, T);
    await rig.advance(heirClock, 5 * MINUTE + 10_000 + 20_000);
    await rig.settle();
    expect(rig.count('hall')).toBe(1);
  });

  it('a countdown taken over by a member whose clock is an hour ahead does not fire before its 5 minutes are up', async () => {
    const { heirClock } = await handOver(T, T + HOUR);
    await rig.advance(heirClock, MINUTE);
    await rig.settle();
    expect(rig.count('hall')).toBe(0);
  });
});
