/**
 * Theme: a member that is alive but whose membership tick is slow. The lease is renewed only at
 * the start of a tick, and the next tick is scheduled only after the previous one has ended; a
 * tick that releases a lock waits (`timer.settled()`) for that lock's fire in flight, i.e. for
 * the host's driver, up to `actionTimeoutMs` (30 s by default, three times the default lease).
 * While it waits, nothing renews the lease: a live, healthy member loses every lock it owns, and
 * the lock whose command is still in flight is fired a second time by the member that takes it.
 *
 * Real time matters here (Redis expires the lease): the lease is the shortest allowed (1 s) and
 * the member's clock is advanced in step with real time, as a live process's clock would be.
 */
import { expect, it } from 'vitest';
import { rendezvousOwner } from '../../src/cluster/rendezvous.js';
import { describeWithRedis } from '../support/redis-server.js';
import { eventually, lockConfig, MINUTE, newClock, useRig } from './harness.js';

const LEASE_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis('review 13: a live member whose tick waits on a slow driver', () => {
  const rig = useRig();

  async function blockedRelease() {
    const clock = newClock();
    const few = Array.from({ length: 30 }, (_, i) => lockConfig(`slow-${i}`));
    const a = await rig.join(clock, { leaseMs: LEASE_MS, actionTimeoutMs: 60_000 });
    await a.addLocks(few);
    const finishers = new Map<string, () => void>();
    rig.driverBehaviour = (lock) =>
      new Promise<void>((resolve) => {
        finishers.set(lock.id, resolve);
      });
    for (const config of few) a.reportLockState(config.id, 'unlocked');
    await rig.settle();
    await rig.advance(clock, 0);
    // the clock moves in steps shorter than the lease: a's ticks renew it as they come
    for (let t = 0; t < 5 * MINUTE; t += 300) await clock.advance(300);
    await rig.settle();
    expect(await eventually(() => finishers.size === few.length)).toBe(true);
    const b = await rig.join(clock, { leaseMs: LEASE_MS });
    await b.addLocks(few);
    const moving = few
      .map((config) => config.id)
      .filter((id) => rendezvousOwner(id, [a.member, b.member]) === b.member);
    const staying = few.map((config) => config.id).filter((id) => !moving.includes(id));
    expect(moving.length).toBeGreaterThan(0);
    expect(staying.length).toBeGreaterThan(0);
    // every command but one has been answered; one lock b should get is still being locked
    const slow = moving[0] as string;
    for (const [id, finish] of finishers) if (id !== slow) finish();
    await rig.settle();
    const tick = a.rebalance();
    // a lives on: its clock moves with real time, for twice the lease
    for (let i = 0; i < 8; i++) {
      await clock.advance(LEASE_MS / 4);
      await sleep(LEASE_MS / 4);
    }
    // the command is answered; a's clock moves on (its confirmation and ticks run)
    const finish = async () => {
      finishers.get(slow)?.();
      await rig.settle();
      await rig.advance(clock, MINUTE);
    };
    return { clock, a, b, tick, slow, staying, finish };
  }

  it('a live member keeps its lease while one of its ticks waits for a lock command in flight', async () => {
    const { a, tick, finish } = await blockedRelease();
    const alive = await rig.admin().exists(`${rig.prefix()}member:${a.member}`);
    await finish();
    await tick;
    expect(alive).toBe(1);
  });

  it('a live member keeps the locks it should keep while one of its ticks waits for a lock command in flight', async () => {
    const { a, b, tick, staying, finish } = await blockedRelease();
    await b.rebalance();
    // locks a should keep and still believes it owns, which b has taken meanwhile
    const taken = staying.filter((id) => b.owns(id) && a.owns(id));
    await finish();
    await tick;
    expect(taken).toEqual([]);
  });

  it('the lock whose command is in flight during a slow release is not commanded a second time', async () => {
    const { clock, b, tick, slow, finish } = await blockedRelease();
    await b.rebalance();
    await rig.settle();
    await rig.advance(clock, 0);
    // (within a's action timeout, 60 s: a command that times out fails and is rightly retried)
    await rig.advance(clock, 20_000);
    await finish();
    await tick;
    await rig.settle();
    expect(rig.count(slow)).toBe(1);
  });
});
