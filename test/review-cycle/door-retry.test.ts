/**
 * (a)/(c) a cancel by hand while the autolock waits for the door (a pending door retry): the
 * cycle has ended on purpose, and a restart must not start another.
 */
import { describe, expect, it } from 'vitest';
import { lock, policyBench } from '../support/policy-bench.js';
import { MINUTE } from '../support/relock-harness.js';

const { bench, restart } = policyBench();

describe('a cancel while waiting for the door', () => {
  it('an autolock cancelled by hand while it waits for the door is not re-armed by a restart', async () => {
    const config = lock({ doorMode: 'never-while-open' });
    const first = await bench();
    await first.relock.addLock(config);
    first.relock.reportDoorState('front', 'open');
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(11 * MINUTE);
    expect(first.relock.status('front').autolock).toBe('waiting-for-door');
    await first.relock.cancelAutolock('front');
    first.relock.reportDoorState('front', 'closed');
    await first.clock.advance(11 * MINUTE);
    // live, the cancel holds: the door closing locks nothing
    expect(first.driver.commands).toEqual([]);
    await first.relock.stop();
    const second = await restart(first, config);
    await second.clock.advance(30 * MINUTE);
    expect(second.driver.commands).toEqual([]);
  });

  it('the same cancel holds across a restart while the door is still open (and then closes)', async () => {
    const config = lock({ doorMode: 'after-close' });
    const first = await bench();
    await first.relock.addLock(config);
    first.relock.reportDoorState('front', 'open');
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(11 * MINUTE);
    await first.relock.cancelAutolock('front');
    await first.relock.stop();
    const second = await restart(first, config);
    await second.clock.advance(11 * MINUTE);
    second.relock.reportDoorState('front', 'closed');
    await second.clock.advance(30 * MINUTE);
    expect(second.driver.commands).toEqual([]);
  });
});
