/**
 * The autolock policies (issue 11) against a hostile host: a report or a setting that arrives while
 * a command is in flight, settings lowered mid-cycle, store writes that fail right before a
 * restart, notices carried through reloads and restarts, and races of extend with the deadline.
 * Written by a hostile review as probes that failed; each pins a fixed bug or a stated promise.
 */
import { describe, expect, it } from 'vitest';
import { EventGrammar } from './support/event-grammar.js';
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
    expect(of(events, 'lock.jammed').at(-1)).toEqual({
      type: 'lock.jammed',
      lockId: 'front',
      cleared: true,
      at: expect.any(Number),
    });
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

describe('second review: restarts, hostile entries, notices and status in odd states', () => {
  const grammarOf = (events: { type: string }[]) => {
    const g = new EventGrammar();
    const wrong: string[] = [];
    for (const e of events) {
      const w = g.accept(e as never);
      if (w) wrong.push(w);
    }
    return wrong;
  };

  it('A1 an overdue retry at a restart with maxAttempts lowered sends no command beyond maxAttempts', async () => {
    const first = await bench();
    await first.relock.addLock(lock({ maxAttempts: 5 }));
    first.driver.fallback = 'throw';
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(10 * MINUTE + 30_000); // attempts 1 and 2 failed; 3 due in 60 s
    expect(first.driver.commands).toHaveLength(2);
    await first.relock.flush();
    await first.relock.stop();
    first.clock.stepWallClock(5 * MINUTE); // down past the retry's time
    const second = await restart(first, lock({ maxAttempts: 2 }));
    second.driver.fallback = 'throw';
    await second.clock.advance(60 * MINUTE);
    expect(second.driver.commands).toEqual([]);
  });

  it('A2 a hostile stored retry entry with attempt 50 (maxAttempts 5) sends no command', async () => {
    const h = await bench();
    const now = h.clock.now();
    h.map.seed(
      'keyv:timer:front',
      JSON.stringify({
        value: { v: 2, endsAt: new Date(now - 1000).toISOString(), durationSeconds: 600, stage: 'retry', attempt: 50 },
        expires: null,
      }),
    );
    await h.relock.addLock(lock({ maxAttempts: 5 }));
    await h.clock.advance(60 * MINUTE);
    expect(of(h.events, 'autolock.attempt').map((e) => e.attempt)).toEqual([]);
    expect(h.driver.commands).toEqual([]);
  });

  it('B1 jam then unlocked while the command is in flight: the accepted command is confirmed or retried, not held forever', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock());
    const { step, finish } = manualStep();
    driver.script(step);
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    relock.reportLockState('front', 'jammed');
    await clock.advance(0);
    relock.reportLockState('front', 'unlocked'); // jam cleared by hand: unlocked
    await clock.advance(0);
    finish();
    await clock.advance(0);
    const status = relock.status('front');
    expect(status.lockState).toBe('unlocked');
    expect(status.autolock).toBe('confirming');
    await clock.advance(60_000); // no locked report: unconfirmed, retried after its backoff
    expect(driver.commands.length).toBe(2);
  });

  it('C1 a jam during an accepted command: the events keep the grammar (held only inside an open cycle)', async () => {
    const { relock, clock, driver, events } = await bench();
    await relock.addLock(lock());
    const { step, finish } = manualStep();
    driver.script(step);
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    relock.reportLockState('front', 'jammed');
    await clock.advance(0);
    finish();
    await clock.advance(MINUTE);
    relock.reportLockState('front', 'locked');
    await clock.advance(MINUTE);
    expect(grammarOf(events)).toEqual([]);
  });

  it('D1 a reload while the warning notice shows: the notice is still dismissed when the command is attempted', async () => {
    const { relock, clock, notifier } = await bench();
    await relock.addLock(lock({ warnSeconds: 60, warnNotification: true }));
    relock.reportLockState('front', 'unlocked');
    await clock.advance(9 * MINUTE + 10_000);
    expect(notifier.ids()).toEqual([WARNING]);
    await relock.updateLock(lock({ warnSeconds: 60, warnNotification: true }));
    await clock.advance(MINUTE);
    expect(notifier.dismissed).toContain(WARNING);
  });

  it('D2 a restart while the warning notice shows: the notice is dismissed when the countdown ends', async () => {
    const first = await bench();
    await first.relock.addLock(lock({ warnSeconds: 60, warnNotification: true }));
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(9 * MINUTE + 10_000);
    expect(first.notifier.ids()).toEqual([WARNING]);
    await first.relock.flush();
    await first.relock.stop();
    const second = await restart(first, lock({ warnSeconds: 60, warnNotification: true }));
    await second.clock.advance(MINUTE);
    expect(second.driver.commands).toHaveLength(1);
    expect(second.notifier.dismissed).toContain(WARNING);
  });

  it('E1 after-close with afterCloseSeconds equal to the running countdown: a close never pushes a sooner end later', async () => {
    const { relock, clock, driver } = await bench({ isDay: false }); // night: 2 min
    await relock.addLock(lock({ doorMode: 'after-close', afterCloseSeconds: 120 }));
    relock.reportDoorState('front', 'closed');
    relock.reportLockState('front', 'unlocked');
    await clock.advance(100_000);
    relock.reportDoorState('front', 'open');
    await clock.advance(5_000);
    relock.reportDoorState('front', 'closed'); // at 105 s: the countdown ends at 120 s, sooner than 225 s
    await clock.advance(15_000);
    expect(driver.commands).toHaveLength(1);
  });

  it('F1 jammed → unknown → jammed: the jam notice (still showing) is not posted twice', async () => {
    const { relock, clock, notifier } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    relock.reportLockState('front', 'jammed');
    await clock.advance(0);
    relock.reportLockState('front', 'unknown');
    await clock.advance(0);
    relock.reportLockState('front', 'jammed');
    await clock.advance(0);
    expect(notifier.ids().filter((id) => id === JAMMED)).toHaveLength(1);
  });

  it('E1c control: afterCloseSeconds 119 keeps the sooner end (lock at 120 s)', async () => {
    const { relock, clock, driver } = await bench({ isDay: false });
    await relock.addLock(lock({ doorMode: 'after-close', afterCloseSeconds: 119 }));
    relock.reportDoorState('front', 'closed');
    relock.reportLockState('front', 'unlocked');
    await clock.advance(100_000);
    relock.reportDoorState('front', 'open');
    await clock.advance(5_000);
    relock.reportDoorState('front', 'closed');
    await clock.advance(15_000);
    expect(driver.commands).toHaveLength(1);
  });

  it('G1 status while a removal keeps failing: an idle autolock shows no endsAt', async () => {
    const { relock, clock, map } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE + 5_000); // confirming
    await relock.flush();
    map.failNext('delete', 3);
    relock.reportLockState('front', 'locked');
    await clock.advance(100);
    const status = relock.status('front');
    expect(status.timerState).toBe('ACTIVE');
    expect(status.autolock === 'idle' ? status.endsAt : null).toBeNull();
    expect(status.autolock).toBe('ending');
  });

  it('G2 status after maxAttempts is lowered during retrying does not promise a retry that will not come', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock({ maxAttempts: 5 }));
    driver.fallback = 'throw';
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE + 30_000); // 2 attempts made, 3rd due in 60 s
    relock.setAutolock('front', { maxAttempts: 2 });
    const status = relock.status('front');
    expect(status.summary).not.toMatch(/trying again/);
  });

  it('H1 a stored confirmation wait ending in 10 years does not block the autolock of an unlocked lock for 10 years', async () => {
    const h = await bench();
    const now = h.clock.now();
    h.map.seed(
      'keyv:timer:front',
      JSON.stringify({
        value: {
          v: 2,
          endsAt: new Date(now + 10 * 365 * 24 * 3600_000).toISOString(),
          durationSeconds: 600,
          stage: 'confirm',
          attempt: 1,
        },
        expires: null,
      }),
    );
    await h.relock.addLock(lock());
    await h.clock.advance(0);
    h.relock.reportLockState('front', 'unlocked');
    await h.clock.advance(3 * 60 * MINUTE);
    expect(h.relock.status('front').autolock).not.toBe('confirming');
  });

  it('H2 an upstream-format entry { end_time, duration } is replayed', async () => {
    const h = await bench();
    const now = h.clock.now();
    h.map.seed(
      'keyv:timer:front',
      JSON.stringify({ value: { end_time: new Date(now + 60_000).toISOString(), duration: 600 }, expires: null }),
    );
    await h.relock.addLock(lock());
    await h.clock.advance(0);
    expect(h.relock.status('front').autolock).toBe('counting-down');
    expect(h.relock.status('front').endsAt).toBe(now + 60_000);
  });

  it('I1 a reload dropping the door sensor (no autolock block) cannot leave a door-aware mode waiting forever', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock({ doorMode: 'never-while-open' }));
    relock.reportLockState('front', 'unlocked');
    relock.reportDoorState('front', 'open');
    await clock.advance(MINUTE);
    let refused = false;
    const { autolock: _a, ...noBlock } = lock();
    await relock.updateLock({ ...noBlock, hasDoorSensor: false }).catch(() => {
      refused = true;
    });
    await clock.advance(20 * MINUTE);
    expect(refused || driver.commands.length > 0).toBe(true);
  });

  it('S1 confirm write held, locked report meanwhile: DONE and nothing on disk once released', async () => {
    const { relock, clock, map, stored, driver } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE - 1);
    const release = map.holdNext('set');
    await clock.advance(1);
    expect(relock.status('front').autolock).toBe('confirming');
    relock.reportLockState('front', 'locked');
    await clock.advance(0);
    release();
    await clock.advance(5_000);
    await relock.flush();
    expect(relock.status('front').timerState).toBe('DONE');
    expect(await stored('timer:front')).toBeUndefined();
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toHaveLength(1);
  });

  it('S2 held keep write failing, locked report, then healthy: DONE, nothing on disk', async () => {
    const { relock, clock, map, stored, driver } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    relock.reportLockState('front', 'jammed');
    await clock.advance(10 * MINUTE - 1);
    map.failNext('set', 3);
    await clock.advance(1);
    expect(relock.status('front').autolock).toBe('jammed');
    relock.reportLockState('front', 'locked');
    await clock.advance(20_000);
    await relock.flush();
    expect(relock.status('front').timerState).toBe('DONE');
    expect(await stored('timer:front')).toBeUndefined();
    expect(driver.commands).toEqual([]);
  });

  it('S3 failed keep write refused, then a restart replays the kept entry', async () => {
    const first = await bench();
    await first.relock.addLock(lock({ maxAttempts: 1 }));
    first.driver.fallback = 'throw';
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(10 * MINUTE - 1);
    first.map.refuseNext('set', 1);
    await first.clock.advance(1);
    expect(first.relock.status('front').autolock).toBe('failed');
    await first.relock.stop();
    const second = await restart(first, lock({ maxAttempts: 1 }));
    await second.clock.advance(0);
    expect(second.driver.commands).toHaveLength(1);
  });

  it('S4 an awaited cancel during a fire whose command is accepted: nothing more is sent, nothing on disk', async () => {
    const { relock, clock, driver, stored } = await bench();
    await relock.addLock(lock());
    const { step, finish } = manualStep();
    driver.script(step);
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    const cancelling = relock.cancelAutolock('front');
    await clock.advance(0);
    finish();
    await cancelling;
    expect(await stored('timer:front')).toBeUndefined();
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toHaveLength(1);
    expect(relock.status('front').timerState).toBe('DONE');
  });

  it('J1 a restart whose config disables autolock does not replay the stored countdown', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(5 * MINUTE);
    await first.relock.flush();
    await first.relock.stop();
    const second = await restart(first, lock({ enabled: false }));
    await second.clock.advance(60 * MINUTE);
    expect(second.relock.status('front').autolockEnabled).toBe(false);
    expect(second.driver.commands).toEqual([]);
  });

  it('J2 a restart whose config disables autolock does not resume a stored retry', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.driver.fallback = 'throw';
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(10 * MINUTE + 5_000);
    await first.relock.flush();
    await first.relock.stop();
    const second = await restart(first, lock({ enabled: false }));
    await second.clock.advance(60 * MINUTE);
    expect(second.driver.commands).toEqual([]);
    expect(second.relock.status('front').autolock).toBe('off');
  });

  it('J3 removeLock during confirming, then re-added: status and events are clean', async () => {
    const { relock, clock, driver, events } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    expect(relock.status('front').autolock).toBe('confirming');
    await relock.removeLock('front');
    await relock.addLock(lock());
    await clock.advance(60 * MINUTE);
    expect(relock.status('front')).toMatchObject({ timerState: 'DONE', autolock: 'idle', attempt: 0, endsAt: null });
    expect(driver.commands).toHaveLength(1);
    expect(of(events, 'autolock.failed')).toEqual([]);
  });

  it('N1 removeLock while the warning notice shows: the notice is dismissed (its countdown was cancelled)', async () => {
    const { relock, clock, notifier } = await bench();
    await relock.addLock(lock({ warnSeconds: 60, warnNotification: true }));
    relock.reportLockState('front', 'unlocked');
    await clock.advance(9 * MINUTE + 10_000);
    expect(notifier.ids()).toEqual([WARNING]);
    await relock.removeLock('front');
    await clock.advance(0);
    expect(notifier.dismissed).toContain(WARNING);
  });

  it('N2 removeLock while the jam and door-left-open notices show: they are dismissed', async () => {
    const { relock, clock, notifier } = await bench();
    await relock.addLock(lock({ doorOpenNoticeMinutes: 1 }));
    relock.reportLockState('front', 'jammed');
    relock.reportDoorState('front', 'open');
    await clock.advance(2 * MINUTE);
    expect(notifier.ids().sort()).toEqual([DOOR_OPEN, JAMMED].sort());
    await relock.removeLock('front');
    await clock.advance(0);
    expect(notifier.dismissed.sort()).toEqual([DOOR_OPEN, JAMMED].sort());
  });
});
