/**
 * The autolock policies (issue 11) against a hostile host: a report or a setting that arrives while
 * a command is in flight, settings lowered mid-cycle, store writes that fail right before a
 * restart, notices carried through reloads and restarts, and races of extend with the deadline.
 * Written by a hostile review as probes that failed; each pins a fixed bug or a stated promise.
 */
import { describe, expect, it } from 'vitest';
import { DOOR_OPEN, FAILED, JAMMED, lock, manualStep, of, policyBench, WARNING } from './support/policy-bench.js';
import { MINUTE } from './support/relock-harness.js';

const { bench, restart } = policyBench();

describe('races with a command in flight, settings changed mid-cycle, restarts mid-write', () => {
  it('P1 lowering maxAttempts during retrying stops the retries (new settings apply to the next step)', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock({ maxAttempts: 5 }));
    driver.fallback = 'throw';
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE + 30_000); // attempts 1 and 2 failed, 3 due in 60 s
    expect(driver.commands).toHaveLength(2);
    relock.setAutolock('front', { maxAttempts: 2 });
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toHaveLength(2);
  });

  it('P2 a locked report while the command is in flight: a late driver error leaves no failure notice and no lastFailure', async () => {
    const { relock, clock, notifier, driver } = await bench();
    await relock.addLock(lock());
    const { step, finish } = manualStep();
    driver.script(step);
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    expect(relock.status('front').autolock).toBe('locking');
    relock.reportLockState('front', 'locked'); // the lock locked (by hand, or by this command)
    await clock.advance(0);
    finish(new Error('radio timeout'));
    await clock.advance(60 * MINUTE);
    expect(notifier.ids()).not.toContain(FAILED);
    expect(relock.status('front')).toMatchObject({ lockState: 'locked', lastFailure: null });
  });

  it('P2b autolock disabled while the command is in flight: a late driver error posts no failure notice', async () => {
    const { relock, clock, notifier, driver } = await bench();
    await relock.addLock(lock());
    const { step, finish } = manualStep();
    driver.script(step);
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    relock.setAutolock('front', { enabled: false });
    await clock.advance(0);
    finish(new Error('radio timeout'));
    await clock.advance(60 * MINUTE);
    expect(notifier.ids()).not.toContain(FAILED);
    expect(relock.status('front')).toMatchObject({ autolock: 'off', lastFailure: null });
  });

  it('P3 a jam reported while the command is in flight holds the autolock (no "not confirmed / trying again" failure)', async () => {
    const { relock, clock, driver, events } = await bench();
    await relock.addLock(lock());
    const { step, finish } = manualStep();
    driver.script(step);
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    relock.reportLockState('front', 'jammed');
    await clock.advance(0);
    finish(); // the driver accepted it; the bolt then jammed
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toHaveLength(1);
    expect(of(events, 'autolock.held')).toHaveLength(1);
    expect(of(events, 'autolock.failed')).toEqual([]);
  });

  it('P4 a restart after the confirmation write failed sends no second command', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(10 * MINUTE - 1);
    first.map.failNext('set', 1); // the confirm entry's write fails
    await first.clock.advance(1);
    expect(first.driver.commands).toHaveLength(1);
    expect(first.relock.status('front').autolock).toBe('confirming');
    await first.relock.stop();
    const second = await restart(first, lock());
    await second.clock.advance(0);
    expect(second.driver.commands).toEqual([]);
  });

  it('P4b a restart after the retry write failed keeps the attempt number and backoff', async () => {
    const first = await bench();
    await first.relock.addLock(lock({ maxAttempts: 2 }));
    first.driver.fallback = 'throw';
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(10 * MINUTE - 1);
    first.map.failNext('set', 1); // the retry entry's write fails
    await first.clock.advance(1);
    expect(first.driver.commands).toHaveLength(1);
    await first.relock.stop();
    const second = await restart(first, lock({ maxAttempts: 2 }));
    second.driver.fallback = 'throw';
    await second.clock.advance(10 * MINUTE);
    // one retry is left in this cycle: at most one more command
    expect(second.driver.commands.length).toBeLessThanOrEqual(1);
  });

  it('P5 a failed status says how many attempts were made, not the current setting', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock({ maxAttempts: 2 }));
    driver.fallback = 'throw';
    relock.reportLockState('front', 'unlocked');
    await clock.advance(20 * MINUTE);
    expect(driver.commands).toHaveLength(2);
    relock.setAutolock('front', { maxAttempts: 7 });
    const status = relock.status('front');
    expect(status.autolock).toBe('failed');
    expect(status.summary).toMatch(/after 2 attempts/);
  });

  it('P6 a reload while the jam notice shows: the jam notice is still dismissed when the jam clears', async () => {
    const { relock, clock, notifier } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    relock.reportLockState('front', 'jammed');
    await clock.advance(0);
    expect(notifier.ids()).toEqual([JAMMED]);
    await relock.updateLock(lock());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    expect(notifier.dismissed).toContain(JAMMED);
  });

  it('P6b a restart while the jam notice shows: the jam notice is dismissed when the jam clears', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    first.relock.reportLockState('front', 'jammed');
    await first.clock.advance(0);
    await first.relock.flush();
    await first.relock.stop();
    const second = await restart(first, lock());
    second.relock.reportLockState('front', 'unlocked');
    await second.clock.advance(0);
    expect(second.notifier.dismissed).toContain(JAMMED);
  });

  it('P7 a reload while the door-left-open notice shows: closing the door still dismisses it, and it is not posted twice', async () => {
    const { relock, clock, notifier } = await bench();
    await relock.addLock(lock({ doorOpenNoticeMinutes: 3 }));
    relock.reportDoorState('front', 'open');
    await clock.advance(3 * MINUTE);
    expect(notifier.ids()).toEqual([DOOR_OPEN]);
    await relock.updateLock(lock({ doorOpenNoticeMinutes: 3 }));
    await clock.advance(10 * MINUTE);
    expect(notifier.ids()).toEqual([DOOR_OPEN]);
    relock.reportDoorState('front', 'closed');
    await clock.advance(0);
    expect(notifier.dismissed).toContain(DOOR_OPEN);
  });

  it('P8 cancelAutolock after the warning notice: the "will be locked in" notice is dismissed', async () => {
    const { relock, clock, notifier } = await bench();
    await relock.addLock(lock({ warnSeconds: 60, warnNotification: true }));
    relock.reportLockState('front', 'unlocked');
    await clock.advance(9 * MINUTE);
    expect(notifier.ids()).toEqual([WARNING]);
    await relock.cancelAutolock('front');
    await clock.advance(0);
    expect(notifier.dismissed).toContain(WARNING);
  });

  it('P9 reportsLockState switched off by a reload mid-confirmation: the accepted command is done, no second command', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    expect(relock.status('front').autolock).toBe('confirming');
    await relock.updateLock(lock({}, { reportsLockState: false }));
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toHaveLength(1);
  });
});

describe('jams, notices, warnings and door modes through reloads and restarts', () => {
  it('Q1 jammed → unknown → unlocked clears the jam: notice dismissed, lock.jammed cleared emitted', async () => {
    const { relock, clock, notifier, events } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    relock.reportLockState('front', 'jammed');
    await clock.advance(0);
    relock.reportLockState('front', 'unknown'); // the radio dropped for a moment
    await clock.advance(0);
    relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    expect(of(events, 'lock.jammed').at(-1)).toEqual({ type: 'lock.jammed', lockId: 'front', cleared: true });
    expect(notifier.dismissed).toContain(JAMMED);
  });

  it('Q3 setAutolock({enabled:false}) during retrying stops the retries', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock());
    driver.fallback = 'throw';
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    expect(relock.status('front').autolock).toBe('retrying');
    relock.setAutolock('front', { enabled: false });
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toHaveLength(1);
    expect(relock.status('front')).toMatchObject({ autolock: 'off', timerState: 'DONE' });
  });

  it('Q4 removeLock during retrying: nothing fires afterwards', async () => {
    const { relock, clock, driver, stored } = await bench();
    await relock.addLock(lock());
    driver.fallback = 'throw';
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    await relock.removeLock('front');
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toHaveLength(1);
    expect(await stored('timer:front')).toBeUndefined();
  });

  it('Q5 awaited cancel while the retry write is held: nothing fires, nothing left on disk', async () => {
    const { relock, clock, driver, map, stored } = await bench();
    await relock.addLock(lock());
    driver.fallback = 'throw';
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE - 1);
    const release = map.holdNext('set');
    await clock.advance(1);
    const cancelling = relock.cancelAutolock('front');
    await clock.advance(0);
    release();
    await cancelling;
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toHaveLength(1);
    expect(await stored('timer:front')).toBeUndefined();
  });

  it('Q6 a warning is emitted once per countdown, also across a restart', async () => {
    const first = await bench();
    await first.relock.addLock(lock({ warnSeconds: 60 }));
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(9 * MINUTE + 30_000);
    expect(of(first.events, 'autolock.warning')).toHaveLength(1);
    await first.relock.flush();
    await first.relock.stop();
    const second = await restart(first, lock({ warnSeconds: 60 }));
    await second.clock.advance(20_000);
    expect(of(second.events, 'autolock.warning')).toEqual([]);
  });

  it('Q8 after-close: a second close locks afterCloseSeconds after that close (not earlier)', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock({ doorMode: 'after-close', afterCloseSeconds: 30 }));
    relock.reportLockState('front', 'unlocked');
    relock.reportDoorState('front', 'open');
    await clock.advance(MINUTE);
    relock.reportDoorState('front', 'closed');
    await clock.advance(20_000);
    relock.reportDoorState('front', 'open');
    relock.reportDoorState('front', 'closed'); // closed again 20 s after the first close
    await clock.advance(29_000);
    expect(driver.commands).toEqual([]);
  });

  it('Q9 a locked report during confirming, after a hand start re-armed it, still closes without a command', async () => {
    const { relock, clock, driver, events } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    expect(relock.status('front').autolock).toBe('confirming');
    await relock.startAutolock('front', 60);
    relock.reportLockState('front', 'locked');
    await clock.advance(10 * MINUTE);
    expect(driver.commands).toHaveLength(1);
    expect(relock.status('front')).toMatchObject({ timerState: 'DONE' });
    expect(events.filter((e) => e.type.startsWith('autolock.')).length).toBeGreaterThan(0);
  });

  it('Q10 a restart while held: the jam stays held, no failure notices are posted', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(10 * MINUTE + 5_000); // accepted, awaiting confirmation
    await first.relock.flush();
    await first.relock.stop();
    const second = await bench({ clock: first.clock, map: first.map });
    await second.relock.addLock(lock());
    second.relock.reportLockState('front', 'jammed'); // at once after start-up, before recovery decided
    await second.clock.advance(60 * MINUTE);
    expect(second.driver.commands).toEqual([]);
    expect(of(second.events, 'autolock.failed')).toEqual([]);
  });

  it('Q11 switching never-while-open → countdown while waiting for the door: the countdown mode locks with the door open', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock({ doorMode: 'never-while-open' }));
    relock.reportLockState('front', 'unlocked');
    relock.reportDoorState('front', 'open');
    await clock.advance(10 * MINUTE);
    expect(relock.status('front').autolock).toBe('waiting-for-door');
    relock.setAutolock('front', { doorMode: 'countdown' });
    await clock.advance(60 * MINUTE);
    expect(driver.commands.length).toBeGreaterThanOrEqual(1);
  });

  it('Q12 extend refused while retrying/confirming/failed', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock({ maxAttempts: 2 }));
    driver.fallback = 'throw';
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    await expect(relock.extendAutolock('front', 60)).rejects.toThrow(/No autolock countdown/);
    await clock.advance(10 * MINUTE);
    expect(relock.status('front').autolock).toBe('failed');
    await expect(relock.extendAutolock('front', 60)).rejects.toThrow(/No autolock countdown/);
  });
});

describe('secrets, restored locks and extend races', () => {
  it('R1 PINs never leak through the new phases (events, notices, logs, inspector)', async () => {
    const h = await bench();
    const withPin = lock(
      { warnSeconds: 60, warnNotification: true, doorOpenNoticeMinutes: 1, maxAttempts: 3 },
      { codeSlots: [{ number: 1, name: 'guest', pin: '918273' }] },
    );
    await h.relock.addLock(withPin);
    h.driver.script('throw', 'ok');
    h.relock.reportLockState('front', 'unlocked');
    h.relock.reportDoorState('front', 'closed');
    await h.clock.advance(10 * MINUTE + 30_000);
    h.relock.reportLockState('front', 'jammed');
    h.relock.reportDoorState('front', 'open');
    await h.clock.advance(5 * MINUTE);
    await h.relock.updateLock(withPin);
    h.relock.reportLockState('front', 'locked');
    await h.clock.advance(MINUTE);
    const all = JSON.stringify([h.events, h.notifier.notified, h.logs, h.inspected, h.relock.status('front')]);
    expect(all).not.toContain('918273');
  });

  it('R2 a lock restored as locked with a confirmation still on disk: no "not confirmed" failure, the cycle just ends', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(10 * MINUTE + 5_000);
    await first.relock.flush();
    first.map.failNext('delete', 5); // the cancel's removal keeps failing until shutdown
    first.relock.reportLockState('front', 'locked');
    await first.clock.advance(0);
    await first.relock.flush().catch(() => {});
    await first.relock.stop();
    const second = await bench({ clock: first.clock, map: first.map });
    await second.relock.addLock(lock());
    await second.clock.advance(10 * MINUTE);
    expect(second.relock.status('front').lockState).toBe('locked');
    expect(second.driver.commands).toEqual([]);
    expect(of(second.events, 'autolock.failed')).toEqual([]);
    expect(second.notifier.ids()).toEqual([]);
  });

  it('R3 an extend racing the deadline (wall clock past the end, check not yet run) is either refused or moves the end', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(9 * MINUTE);
    clock.stepWallClock(2 * MINUTE); // now is past the end; the next check has not run
    await relock.extendAutolock('front', 300);
    await clock.advance(0);
    // extended by 5 min from the old end: 4 min from now
    expect(driver.commands).toEqual([]);
    await clock.advance(4 * MINUTE);
    expect(driver.commands).toHaveLength(1);
  });
});
