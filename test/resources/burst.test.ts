/**
 * A synchronous burst of calls on one lock costs work in proportion to its length: nothing is
 * done per call for every other call still pending. Verdicts count work (subscriptions held at
 * once) or check completion; none depends on how fast the machine is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AnyActorRef, Observer, Subscription } from 'xstate';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { createRelock } from '../../src/relock.js';
import { type RelockHarness, relockHarness } from '../support/relock-harness.js';

let h: RelockHarness | undefined;
afterEach(async () => {
  await h?.relock.stop();
  h = undefined;
});

/** Counts the subscriptions held at once on an actor (every snapshot is offered to each). */
function countSubscriptions(actor: AnyActorRef): { readonly most: number } {
  const counter = { live: 0, most: 0 };
  const subscribe = actor.subscribe.bind(actor) as (observer: Observer<unknown>) => Subscription;
  (actor as { subscribe: unknown }).subscribe = (...args: Parameters<typeof subscribe>) => {
    const subscription = subscribe(...args);
    counter.live++;
    counter.most = Math.max(counter.most, counter.live);
    let open = true;
    return {
      unsubscribe: () => {
        if (open) counter.live--;
        open = false;
        subscription.unsubscribe();
      },
    };
  };
  return counter;
}

const LOCK = { id: 'front', name: 'Front', autolock: { enabled: true, dayMinutes: 5 } };

describe('bursts on one lock', () => {
  it('(10.20) 2,000 reports in a burst keep a bounded number of subscriptions on the timer', async () => {
    h = await relockHarness();
    await h.relock.addLock(LOCK);
    const counter = countSubscriptions(h.relock.actor.system.get('timer:front'));
    for (let i = 0; i < 2_000; i++) h.relock.reportLockState('front', i % 2 === 0 ? 'unlocked' : 'locked');
    await h.clock.advance(0);
    await h.relock.flush();
    expect(counter.most).toBeLessThanOrEqual(4);
    expect(h.relock.status('front')).toMatchObject({ lockState: 'locked', running: false });
  });

  it('(10.20) 1,000 startAutolock + cancelAutolock pairs in a burst keep a bounded number of subscriptions on the timer', async () => {
    h = await relockHarness();
    await h.relock.addLock(LOCK);
    const counter = countSubscriptions(h.relock.actor.system.get('timer:front'));
    const calls: Promise<void>[] = [];
    for (let i = 0; i < 1_000; i++) {
      calls.push(h.relock.startAutolock('front', 60));
      calls.push(h.relock.cancelAutolock('front'));
    }
    await h.clock.advance(0);
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    expect(counter.most).toBeLessThanOrEqual(4);
    expect(h.relock.status('front').running).toBe(false);
    await h.clock.advance(10 * 60_000);
    expect(h.driver.commands).toEqual([]);
  });

  it('(10.20) 100,000 reports in a burst on one lock all take effect', async () => {
    // no inspector here: the harness's serializes every inspection event, which is not under test
    const clock = new ManualClock();
    const commands: string[] = [];
    const relock = await createRelock({
      driver: { lock: async (lock) => void commands.push(lock.id) },
      clock,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    await relock.addLock(LOCK);
    for (let i = 0; i < 100_000; i++) relock.reportLockState('front', i % 2 === 0 ? 'unlocked' : 'locked');
    relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    await relock.flush();
    expect(relock.status('front')).toMatchObject({ lockState: 'unlocked', running: true, timerState: 'ACTIVE' });
    await clock.advance(5 * 60_000);
    expect(commands).toEqual(['front']);
    await relock.stop();
    // about 0.15 s of blocking on a quiet 2-core machine (it was quadratic: hours); the limit only catches a hang
  }, 120_000);
});
