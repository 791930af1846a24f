/**
 * An autolock cycle that ended with no locked report to come (cancelled by hand, or its command
 * accepted by a lock that reports no state) stays ended across a restart: the restored lock is
 * still unlocked, and starting a new countdown for it would revive a cancel or send the command
 * again. Anything that begins a new spell (a locked or unlocked report, a start) clears the mark;
 * a lock whose cycle did not end (its entry lost in a crash) is armed at the restart as before.
 */
import { describe, expect, it } from 'vitest';
import { lock, policyBench } from './support/policy-bench.js';
import { MINUTE } from './support/relock-harness.js';

const { bench, restart } = policyBench();

describe('a cycle that ended stays ended across a restart', () => {
  it('an autolock cancelled by hand is not re-armed when the system restarts', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(0);
    await first.relock.cancelAutolock('front');
    await first.relock.stop();
    const second = await restart(first, lock());
    expect(second.relock.status('front')).toMatchObject({ lockState: 'unlocked', running: false });
    await second.clock.advance(30 * MINUTE);
    expect(second.driver.commands).toEqual([]);
  });

  it('a command accepted by a lock that reports no state is not sent again at a restart', async () => {
    const noReports = (overrides = {}) => lock({}, { reportsLockState: false, ...overrides });
    const first = await bench();
    await first.relock.addLock(noReports());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(10 * MINUTE);
    expect(first.driver.commands).toHaveLength(1);
    await first.relock.stop();
    const second = await restart(first, noReports());
    await second.clock.advance(30 * MINUTE);
    expect(second.driver.commands).toEqual([]);
  });

  it('a locked then unlocked report after the cancel begins a new cycle, which a restart keeps', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(0);
    await first.relock.cancelAutolock('front');
    first.relock.reportLockState('front', 'locked');
    await first.clock.advance(1_000);
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(1_000);
    expect(first.relock.status('front').running).toBe(true);
    await first.relock.stop();
    // the countdown's entry is lost with the process (a crash before it was written)
    first.map.delete('keyv:timer:front');
    const second = await restart(first, lock());
    await second.clock.advance(11 * MINUTE);
    // (the lock reports nothing more: the command goes unconfirmed and is retried, so more may follow)
    expect(second.driver.commands[0]).toBe('front@Front Door');
  });

  it('a start by hand after the cancel clears the mark: the next restart arms again if its entry is lost', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(0);
    await first.relock.cancelAutolock('front');
    await first.relock.startAutolock('front', 600);
    await first.relock.stop();
    first.map.delete('keyv:timer:front');
    const second = await restart(first, lock());
    await second.clock.advance(11 * MINUTE);
    // (the lock reports nothing more: the command goes unconfirmed and is retried, so more may follow)
    expect(second.driver.commands[0]).toBe('front@Front Door');
  });
});
