/**
 * Theme: "a taken-over lock starts no autolock by itself" (the handoff rule that keeps an
 * acknowledged cancel cancelled). The rule reads "unlocked, with no timer entry" as "cancelled",
 * but the store holds exactly that in other cases too, where the autolock should run:
 *
 * - an owner that dies after its lock record says `unlocked` and before its timer entry is
 *   written (the record is written first: measured with MONITOR, `data:lock:<id>` then
 *   `data:timer:<id>`, one Redis round trip apart each) — the door stays unlocked for good;
 * - a cold start of the whole cluster: every member is a "new owner", so a lock the host turned
 *   autolock on for while the cluster was down is never armed, where one process restarting on
 *   the same store arms it (the single-process rule: an unlocked lock arms its autolock once its
 *   timer has recovered).
 */
import Keyv from 'keyv';
import { expect, it } from 'vitest';
import { createRelock } from '../../src/relock.js';
import { describeWithRedis } from '../support/redis-server.js';
import { eventually, lockConfig, MINUTE, newClock, quiet, useRig } from './harness.js';

describeWithRedis('review 13: the handoff rule loses autolocks that should run', () => {
  const rig = useRig();

  it('an owner that dies between recording `unlocked` and writing its timer entry: the next owner still locks the door', async () => {
    const clock = newClock();
    const a = await rig.join(clock);
    const config = lockConfig('front');
    await a.addLocks([config]);
    const b = await rig.join(clock);
    await b.addLocks([config]);
    const lockId = 'front';
    const owner = a.owns(lockId) ? a : b;
    const other = owner === a ? b : a;
    owner.reportLockState(lockId, 'unlocked');
    await rig.settle();
    await rig.advance(clock, 0);
    // what the store holds when the owner is SIGKILLed between the two writes: the record says
    // unlocked, the timer entry was never written (here: written, then taken back)
    const record = await rig.admin().get(`${rig.prefix()}data:lock:${lockId}`);
    expect(record).toContain('"lockState":"unlocked"');
    await rig.admin().del(`${rig.prefix()}data:timer:${lockId}`);
    await rig.admin().del(`${rig.prefix()}member:${owner.member}`);
    await other.rebalance();
    expect(other.owns(lockId)).toBe(true);
    await rig.advance(clock, 0);
    await rig.advance(clock, 10 * MINUTE);
    await rig.settle();
    const fired = await eventually(() => rig.commands.some((command) => command.lockId === lockId), 2_000);
    expect(fired).toBe(true);
  });

  it('cold start of the whole cluster: an unlocked lock whose autolock was turned on while it was down is armed, as one process does', async () => {
    const clock = newClock();
    // the cluster ran with autolock off for this lock; the door was left unlocked
    const off = { ...lockConfig('back'), autolock: { enabled: false } };
    const first = await rig.join(clock);
    await first.addLocks([off]);
    first.reportLockState('back', 'unlocked');
    await rig.settle();
    await rig.advance(clock, 0);
    await first.stop();
    // the whole cluster is down; the host turns autolock on (5 min) and starts it again
    const again = await rig.join(clock);
    await again.addLocks([lockConfig('back')]);
    expect(again.owns('back')).toBe(true);
    await rig.advance(clock, 0);
    const armed = again.status('back').running;
    await rig.advance(clock, 10 * MINUTE);
    await rig.settle();
    expect(armed).toBe(true);
    expect(rig.count('back')).toBe(1);
  });

  it('(control) one process restarted on the same kind of store arms that autolock', async () => {
    const clock = newClock();
    const store = new Map<string, unknown>();
    const commands: string[] = [];
    const driver = { lock: async (lock: { id: string }) => void commands.push(lock.id) };
    const one = await createRelock({ driver, clock, logger: quiet, store: new Keyv({ store }) });
    await one.addLocks([{ ...lockConfig('back'), autolock: { enabled: false } }]);
    one.reportLockState('back', 'unlocked');
    await one.flush();
    await one.stop();
    const two = await createRelock({ driver, clock, logger: quiet, store: new Keyv({ store }) });
    await two.addLocks([lockConfig('back')]);
    await clock.advance(0);
    expect(two.status('back').running).toBe(true);
    await clock.advance(10 * MINUTE);
    await two.flush();
    expect(commands).toEqual(['back']);
    await two.stop();
  });
});
