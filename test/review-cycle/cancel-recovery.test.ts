/**
 * (a) an acknowledged cancelAutolock: no lock command for that cycle, also across a restart.
 */
import { describe, expect, it } from 'vitest';
import { lock, policyBench } from '../support/policy-bench.js';
import { MINUTE } from '../support/relock-harness.js';

const { bench } = policyBench();

describe('a cancel given while the restarted timer is still recovering', () => {
  it('a cancel acknowledged during a recovery that retries its read sends no command afterwards', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(MINUTE);
    expect(first.relock.status('front').running).toBe(true);
    await first.relock.stop();
    // the restart's first read of the timer entry fails: the timer recovers by itself, and retries
    first.map.failKeys.set('keyv:timer:front', 1);
    const second = await bench({ clock: first.clock, map: first.map });
    await second.relock.addLock(lock());
    const cancelled = second.relock.cancelAutolock('front');
    await second.clock.advance(60_000);
    await cancelled;
    await second.clock.advance(30 * MINUTE);
    expect(second.driver.commands).toEqual([]);
    expect(second.relock.status('front').running).toBe(false);
  });
});
