/**
 * (c) retries and confirmations: a command accepted while the lock reported state, whose lock is
 * then reloaded with `reportsLockState: false` during the confirmation wait, counts as done
 * (README "Mid-cycle changes"). That cycle has ended with no locked report to come, exactly as a
 * command accepted by a lock that reports no state: a restart must not send another command.
 */
import { describe, expect, it } from 'vitest';
import { lock, policyBench } from '../support/policy-bench.js';
import { MINUTE } from '../support/relock-harness.js';

const { bench, restart } = policyBench();

describe('a confirmation waived by a reload', () => {
  it('a command counted as done when reportsLockState turns false mid-confirmation is not sent again after a restart', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(10 * MINUTE + 1_000);
    expect(first.driver.commands).toHaveLength(1);
    expect(first.relock.status('front').autolock).toBe('confirming');
    await first.relock.updateLock(lock({}, { reportsLockState: false }));
    await first.clock.advance(MINUTE);
    expect(first.relock.status('front').running).toBe(false);
    expect(first.driver.commands).toHaveLength(1);
    await first.relock.stop();
    const second = await restart(first, lock({}, { reportsLockState: false }));
    await second.clock.advance(30 * MINUTE);
    expect(second.driver.commands).toEqual([]);
  });
});
