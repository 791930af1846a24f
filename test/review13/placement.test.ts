/**
 * Theme: placement and claims at scale and with awkward ids (held on the current code; kept as
 * regression tests). 1,500 locks over three members that join and leave: every lock owned by
 * exactly one member at each settled point, as Redis and the members both say. Lock ids that
 * look like the store's own key families (`timer:…`, `lock:…`, `own:…`, `member:…`) or carry
 * `:` and `.`: claimed, fenced and fired once each.
 */
import { expect, it } from 'vitest';
import type { RelockCluster } from '../../src/cluster/relock-cluster.js';
import { describeWithRedis } from '../support/redis-server.js';
import { eventually, lockConfig, locks, MINUTE, newClock, useRig } from './harness.js';

describeWithRedis('review 13: placement at scale and awkward ids', () => {
  const rig = useRig();

  async function checkExactlyOnce(members: RelockCluster[], ids: string[]): Promise<void> {
    const owned = members.flatMap((member) => member.ownedLockIds()).sort();
    expect(owned).toEqual([...ids].sort());
    const keys = await rig.admin().keys(`${rig.prefix()}own:*`);
    expect(keys).toHaveLength(ids.length);
  }

  it('1,500 locks over members that join and leave: each owned by exactly one member at every settled point', async () => {
    const clock = newClock();
    const all = locks(1_500);
    const ids = all.map((config) => config.id);
    const a = await rig.join(clock);
    await a.addLocks(all);
    await checkExactlyOnce([a], ids);
    const b = await rig.join(clock);
    await b.addLocks(all);
    const c = await rig.join(clock);
    await c.addLocks(all);
    for (let i = 0; i < 2; i++) for (const member of [a, b, c]) await member.rebalance();
    await checkExactlyOnce([a, b, c], ids);
    expect(Math.min(a.ownedLockIds().length, b.ownedLockIds().length, c.ownedLockIds().length)).toBeGreaterThan(300);
    // b leaves cleanly, c dies
    await b.stop();
    await rig.admin().del(`${rig.prefix()}member:${c.member}`);
    await a.rebalance();
    await c.rebalance();
    await a.rebalance();
    await c.rebalance();
    const live = [a, c];
    await checkExactlyOnce(live, ids);
  }, 60_000);

  it('lock ids shaped like key families fire once each, from their owner, with its token', async () => {
    const clock = newClock();
    const ids = ['timer:x', 'lock:y', 'own:z', 'member:q', 'fence:w', 'a.b:c-d_e', 'data:lock:v'];
    const configs = ids.map((id) => lockConfig(id));
    const a = await rig.join(clock);
    const b = await rig.join(clock);
    await a.addLocks(configs);
    await b.addLocks(configs);
    await a.rebalance();
    await b.rebalance();
    for (const id of ids) (a.owns(id) ? a : b).reportLockState(id, 'unlocked');
    await rig.settle();
    await rig.advance(clock, 0);
    await rig.advance(clock, 5 * MINUTE);
    expect(await eventually(() => rig.commands.length === ids.length)).toBe(true);
    await rig.advance(clock, 10 * MINUTE);
    expect(rig.commands.map((command) => command.lockId).sort()).toEqual([...ids].sort());
    expect(rig.commands.every((command) => typeof command.token === 'number')).toBe(true);
  });
});
