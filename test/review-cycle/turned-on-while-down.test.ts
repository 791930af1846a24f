/**
 * (b) no autolock is lost: turning autolock on clears an ended cycle. Live, a cancel, then autolock
 * off and on again, arms a new countdown (holds.test.ts); autolock turned on while the system was down must too.
 */
import { describe, expect, it } from 'vitest';
import { lock, policyBench } from '../support/policy-bench.js';
import { MINUTE } from '../support/relock-harness.js';

const { bench, restart } = policyBench();

async function cancelledThenOff() {
  const first = await bench();
  await first.relock.addLock(lock());
  first.relock.reportLockState('front', 'unlocked');
  await first.clock.advance(MINUTE);
  await first.relock.cancelAutolock('front');
  await first.relock.updateLock(lock({ enabled: false }));
  await first.clock.advance(MINUTE);
  return first;
}

describe('autolock turned on again after a cancel', () => {
  it('autolock turned on while the system was down arms the unlocked lock at the restart', async () => {
    const first = await cancelledThenOff();
    await first.relock.stop();
    const second = await restart(first, lock());
    expect(second.relock.status('front')).toMatchObject({ lockState: 'unlocked' });
    await second.clock.advance(11 * MINUTE);
    expect(second.driver.commands[0]).toBe('front@Front Door');
  });
});
