/**
 * Probes of the cycle-end rule that hold on the current code (each asserts something that could fail).
 */
import { describe, expect, it } from 'vitest';
import { lock, policyBench } from '../support/policy-bench.js';
import { MINUTE } from '../support/relock-harness.js';
import { crashImage } from './crash.js';

const { bench, restart } = policyBench();

async function cancelledWhileUnlocked(config = lock()) {
  const first = await bench();
  await first.relock.addLock(config);
  first.relock.reportLockState('front', 'unlocked');
  await first.clock.advance(MINUTE);
  await first.relock.cancelAutolock('front');
  return first;
}

describe('what held up', () => {
  it('a crash right after an acknowledged cancel does not revive it', async () => {
    const first = await cancelledWhileUnlocked();
    const second = await bench({ clock: first.clock, map: crashImage(first) });
    await second.relock.addLock(lock());
    await second.clock.advance(30 * MINUTE);
    expect(second.driver.commands).toEqual([]);
  });

  it('a reload after the cancel keeps it cancelled, live and across a restart', async () => {
    const first = await cancelledWhileUnlocked();
    await first.relock.updateLock(lock({ dayMinutes: 5 }));
    first.relock.setAutolock('front', { enabled: true, dayMinutes: 3, nightMinutes: 2 });
    await first.clock.advance(20 * MINUTE);
    expect(first.driver.commands).toEqual([]);
    await first.relock.stop();
    const second = await restart(first, lock({ dayMinutes: 5 }));
    await second.clock.advance(30 * MINUTE);
    expect(second.driver.commands).toEqual([]);
  });

  it('the same unlocked report repeated after a restart does not revive the cancel', async () => {
    const first = await cancelledWhileUnlocked();
    await first.relock.stop();
    const second = await restart(first, lock());
    second.relock.reportLockState('front', 'unlocked');
    await second.clock.advance(30 * MINUTE);
    expect(second.driver.commands).toEqual([]);
  });

  it('an autolock turned off (not cancelled) while unlocked is armed again when turned on while down', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(MINUTE);
    await first.relock.updateLock(lock({ enabled: false }));
    await first.clock.advance(MINUTE);
    await first.relock.stop();
    const second = await restart(first, lock());
    await second.clock.advance(11 * MINUTE);
    expect(second.driver.commands[0]).toBe('front@Front Door');
  });

  it('a cycle whose every attempt failed is kept for replay and fires again after a restart', async () => {
    const config = lock({ maxAttempts: 1 });
    const first = await bench();
    first.driver.fallback = 'throw';
    await first.relock.addLock(config);
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(11 * MINUTE);
    expect(first.relock.status('front').autolock).toBe('failed');
    await first.relock.stop();
    const second = await restart(first, config);
    await second.clock.advance(MINUTE);
    expect(second.driver.commands).toEqual(['front@Front Door']);
  });

  it('a failed cycle cancelled by hand stays cancelled across a restart', async () => {
    const config = lock({ maxAttempts: 1 });
    const first = await bench();
    first.driver.fallback = 'throw';
    await first.relock.addLock(config);
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(11 * MINUTE);
    await first.relock.cancelAutolock('front');
    await first.relock.stop();
    const second = await restart(first, config);
    await second.clock.advance(30 * MINUTE);
    expect(second.driver.commands).toEqual([]);
  });

  it('a cancel during the confirmation wait stays cancelled across a restart', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(10 * MINUTE + 1_000);
    expect(first.relock.status('front').autolock).toBe('confirming');
    await first.relock.cancelAutolock('front');
    await first.relock.stop();
    const second = await restart(first, lock());
    await second.clock.advance(30 * MINUTE);
    expect(second.driver.commands).toEqual([]);
    expect(first.driver.commands).toHaveLength(1);
  });

  it('a jam after the cancel, then unlocked: a new spell, armed and re-armed at a restart when its entry is lost', async () => {
    const first = await cancelledWhileUnlocked();
    first.relock.reportLockState('front', 'jammed');
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(1_000);
    expect(first.relock.status('front').running).toBe(true);
    await first.relock.stop();
    first.map.delete('keyv:timer:front');
    const second = await restart(first, lock());
    await second.clock.advance(11 * MINUTE);
    expect(second.driver.commands[0]).toBe('front@Front Door');
  });

  it('extendAutolock after a cancel is refused and arms nothing', async () => {
    const first = await cancelledWhileUnlocked();
    await expect(first.relock.extendAutolock('front', 60)).rejects.toThrow();
    await first.clock.advance(30 * MINUTE);
    expect(first.driver.commands).toEqual([]);
  });

  it('live: autolock off and on again after a cancel arms a new countdown', async () => {
    const first = await cancelledWhileUnlocked();
    await first.relock.updateLock(lock({ enabled: false }));
    await first.clock.advance(MINUTE);
    await first.relock.updateLock(lock());
    await first.clock.advance(11 * MINUTE);
    expect(first.driver.commands[0]).toBe('front@Front Door');
  });
});
