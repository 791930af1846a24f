import { afterEach, describe, expect, it } from 'vitest';
import type { LockConfigInput } from '../src/model/lock-config.js';
import { MINUTE, type RelockHarness, relockHarness } from './support/relock-harness.js';

let h: RelockHarness | undefined;
const bench = async (options?: Parameters<typeof relockHarness>[0]) => {
  h = await relockHarness(options);
  return h;
};
afterEach(async () => {
  await h?.relock.stop();
  h = undefined;
});

const frontDoor = (overrides: Partial<LockConfigInput> = {}): LockConfigInput => ({
  id: 'front',
  name: 'Front Door',
  hasDoorSensor: true,
  autolock: { enabled: true, dayMinutes: 10, nightMinutes: 2, retryWhenDoorCloses: true },
  codeSlots: [
    { number: 1, name: 'Alice', pin: '482913', enabled: true },
    { number: 2, name: 'Bob', pin: '771204', accessLimits: { weekdays: [{ weekday: 1 }, { weekday: 3 }] } },
  ],
  ...overrides,
});

const DOOR_OPEN = 'front_door__front_autolock_door_open';
const DOOR_CLOSED = 'front_door__front_autolock_door_closed';
const FAILED = 'front_door__front_autolock_failed';

describe('relock behaviour', () => {
  it('B1 an unlocked lock with autolock enabled starts its timer for the day or night minutes', async () => {
    const { relock, clock, daylight, driver } = await bench();
    await relock.addLock(frontDoor());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    expect(relock.status('front')).toMatchObject({ timerState: 'ACTIVE', running: true, durationSeconds: 600 });
    relock.reportLockState('front', 'locked');
    daylight.isDay = false;
    relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    expect(relock.status('front')).toMatchObject({ running: true, durationSeconds: 120, remainingSeconds: 120 });
    await clock.advance(2 * MINUTE);
    expect(driver.commands).toEqual(['front@Front Door']);
  });

  it('B1 a lock with autolock disabled starts nothing when unlocked', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(frontDoor({ autolock: { enabled: false } }));
    relock.reportLockState('front', 'unlocked');
    await clock.advance(60 * MINUTE);
    expect(relock.status('front')).toMatchObject({ running: false, timerState: 'DONE' });
    expect(driver.commands).toEqual([]);
  });

  it("B2 becoming locked cancels the timer, clears a pending retry and dismisses the notices that show (the retry's door_open)", async () => {
    const { relock, clock, notifier, stored } = await bench();
    await relock.addLock(frontDoor());
    relock.reportDoorState('front', 'open');
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    expect(relock.status('front').pendingRetry).toBe(true);
    relock.reportLockState('front', 'locked');
    await clock.advance(0);
    expect(relock.status('front')).toMatchObject({ pendingRetry: false, running: false, timerState: 'DONE' });
    expect(notifier.dismissed).toEqual([DOOR_OPEN]);
    expect(await stored('timer:front')).toBeUndefined();

    relock.reportLockState('front', 'unlocked');
    await clock.advance(MINUTE);
    expect(relock.status('front').running).toBe(true);
    relock.reportLockState('front', 'locked');
    await clock.advance(0);
    expect(relock.status('front')).toMatchObject({ running: false, timerState: 'DONE' });
  });

  it('B2 a dismissal that fails is reported and does not stop the others or the cancel', async () => {
    const { relock, clock, driver, notifier, events } = await bench();
    await relock.addLock(frontDoor({ autolock: { enabled: true, dayMinutes: 10, doorMode: 'never-while-open' } }));
    relock.reportLockState('front', 'unlocked');
    relock.reportDoorState('front', 'open');
    await clock.advance(10 * MINUTE); // door open: door_open shows
    driver.script('throw');
    relock.reportDoorState('front', 'closed'); // door_open goes, door_closed shows, the command fails: failed shows
    await clock.advance(0);
    expect(notifier.dismissed).toEqual([DOOR_OPEN]);
    notifier.failDismissOf.add(DOOR_CLOSED);
    relock.reportLockState('front', 'locked');
    await clock.advance(0);
    expect(notifier.dismissed).toEqual([DOOR_OPEN, FAILED]);
    expect(relock.status('front').running).toBe(false);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'notifier.error', lockId: 'front', notificationId: DOOR_CLOSED }),
    );
  });

  it('a locked report with no notice showing dismisses nothing', async () => {
    const { relock, clock, notifier } = await bench();
    await relock.addLock(frontDoor());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(MINUTE);
    relock.reportLockState('front', 'locked');
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE); // the command is accepted, then confirmed
    relock.reportLockState('front', 'locked');
    await clock.advance(0);
    expect(notifier.notified).toEqual([]);
    expect(notifier.dismissed).toEqual([]);
  });

  it('after a failure notice, a locked report dismisses exactly that notice, once', async () => {
    const { relock, clock, driver, notifier } = await bench();
    await relock.addLock(frontDoor());
    driver.script('throw');
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    expect(notifier.ids()).toEqual([FAILED]);
    relock.reportLockState('front', 'locked');
    await clock.advance(0);
    expect(notifier.dismissed).toEqual([FAILED]);
    relock.reportLockState('front', 'unlocked');
    relock.reportLockState('front', 'locked');
    await clock.advance(0);
    expect(notifier.dismissed).toEqual([FAILED]);
  });

  it('B3 a fire with retry enabled while the door is open locks nothing, sets the pending retry and notifies', async () => {
    const { relock, clock, driver, notifier, events } = await bench();
    await relock.addLock(frontDoor());
    relock.reportLockState('front', 'unlocked');
    relock.reportDoorState('front', 'open');
    await clock.advance(10 * MINUTE);
    expect(driver.commands).toEqual([]);
    expect(relock.status('front')).toMatchObject({ pendingRetry: true, timerState: 'DONE' });
    expect(notifier.notified).toEqual([
      expect.objectContaining({
        id: 'front_door__front_autolock_door_open',
        message: expect.stringMatching(/when the door closes/),
      }),
    ]);
    expect(events).toContainEqual({ type: 'autolock.retry-pending', lockId: 'front', at: expect.any(Number) });
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'autolock.fired', lockId: 'front', outcome: 'retry-pending' }),
    );
  });

  it('B3 without retry, a fire locks even with the door open', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(frontDoor({ autolock: { enabled: true, dayMinutes: 1, retryWhenDoorCloses: false } }));
    relock.reportDoorState('front', 'open');
    relock.reportLockState('front', 'unlocked');
    await clock.advance(MINUTE);
    expect(driver.commands).toEqual(['front@Front Door']);
  });

  it('B4 a door that closes with a pending retry locks, dismisses door_open and notifies door_closed', async () => {
    const { relock, clock, driver, notifier } = await bench();
    await relock.addLock(frontDoor());
    relock.reportLockState('front', 'unlocked');
    relock.reportDoorState('front', 'open');
    await clock.advance(10 * MINUTE);
    relock.reportDoorState('front', 'closed');
    await clock.advance(0);
    expect(driver.commands).toEqual(['front@Front Door']);
    expect(notifier.dismissed).toEqual(['front_door__front_autolock_door_open']);
    expect(notifier.notified.map((n) => n.id)).toEqual([
      'front_door__front_autolock_door_open',
      'front_door__front_autolock_door_closed',
    ]);
    expect(notifier.notified[1]?.message).toMatch(/re-attempting/);
    expect(relock.status('front').pendingRetry).toBe(false);
  });

  it('B5 with one attempt (upstream), a lock command that throws notifies autolock_failed and keeps the timer entry for replay', async () => {
    const { relock, clock, driver, notifier, stored, events } = await bench();
    await relock.addLock(frontDoor({ autolock: { enabled: true, dayMinutes: 10, maxAttempts: 1 } }));
    driver.script('throw');
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    expect(notifier.notified).toEqual([
      expect.objectContaining({ id: 'front_door__front_autolock_failed', message: expect.stringMatching(/offline/) }),
    ]);
    expect(relock.status('front')).toMatchObject({
      timerState: 'ACTIVE',
      running: false,
      lastFailure: 'lock front is offline',
    });
    expect(await stored('timer:front')).toMatchObject({ durationSeconds: 600 });
    expect(events).toContainEqual({
      type: 'autolock.failed',
      lockId: 'front',
      reason: 'lock front is offline',
      attempt: 1,
      attempts: 1,
      unconfirmed: false,
      nextAttemptAt: null,
      keptForReplay: true,
      at: expect.any(Number),
    });
    expect(notifier.notified[0]?.message).toMatch(/attempt 1 of 1.*last attempt/);
  });

  it('B5 a lock command that hangs times out, notifies autolock_failed and keeps the entry', async () => {
    const { relock, clock, driver, notifier, stored } = await bench({ actionTimeoutMs: 5_000 });
    await relock.addLock(frontDoor({ autolock: { enabled: true, dayMinutes: 10, maxAttempts: 1 } }));
    driver.script('hang');
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE + 5_000);
    expect(notifier.ids()).toEqual(['front_door__front_autolock_failed']);
    expect(notifier.notified[0]?.message).toMatch(/timed out/);
    expect(await stored('timer:front')).toMatchObject({ durationSeconds: 600 });
  });

  it('B5 a door-close lock command that fails notifies autolock_failed and is retried after the backoff', async () => {
    const { relock, clock, driver, notifier } = await bench();
    await relock.addLock(frontDoor());
    relock.reportLockState('front', 'unlocked');
    relock.reportDoorState('front', 'open');
    await clock.advance(10 * MINUTE);
    driver.script('throw');
    relock.reportDoorState('front', 'closed');
    await clock.advance(0);
    expect(notifier.ids()).toContain('front_door__front_autolock_failed');
    expect(relock.status('front')).toMatchObject({ pendingRetry: false, running: true, autolock: 'retrying' });
    await clock.advance(30_000);
    expect(driver.commands).toEqual(['front@Front Door', 'front@Front Door']);
  });

  it('B6 enabling autolock on an unlocked lock starts it; disabling cancels it', async () => {
    const { relock, clock, stored } = await bench();
    await relock.addLock(frontDoor({ autolock: { enabled: false, dayMinutes: 5 } }));
    relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    expect(relock.status('front').running).toBe(false);
    relock.setAutolock('front', { enabled: true });
    await clock.advance(0);
    expect(relock.status('front')).toMatchObject({ running: true, durationSeconds: 300, autolockEnabled: true });
    relock.setAutolock('front', { enabled: false });
    await clock.advance(0);
    expect(relock.status('front')).toMatchObject({ running: false, autolockEnabled: false });
    expect(await stored('timer:front')).toBeUndefined();
  });

  it('B6 the host can start and cancel a lock autolock by hand', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(frontDoor({ autolock: { enabled: false } }));
    await relock.startAutolock('front', 30);
    expect(relock.status('front')).toMatchObject({ running: true, durationSeconds: 30 });
    await relock.cancelAutolock('front');
    expect(relock.status('front').running).toBe(false);
    await relock.startAutolock('front');
    expect(relock.status('front').durationSeconds).toBe(120 * 60);
    await clock.advance(120 * MINUTE);
    expect(driver.commands).toHaveLength(1);
  });

  it('B7 repeated identical reports change nothing and do not restart a running timer', async () => {
    const { relock, clock, driver, notifier } = await bench();
    await relock.addLock(frontDoor({ autolock: { enabled: true, dayMinutes: 10, maxAttempts: 1 } }));
    relock.reportLockState('front', 'unlocked');
    await clock.advance(4 * MINUTE);
    driver.script('throw'); // the failed notice shows: one locked report dismisses it, the repeat nothing
    const before = relock.status('front');
    relock.reportLockState('front', 'unlocked');
    relock.reportDoorState('front', 'closed');
    relock.reportDoorState('front', 'closed');
    relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    expect(relock.status('front').endsAt).toBe(before.endsAt);
    await clock.advance(6 * MINUTE);
    expect(driver.commands).toHaveLength(1);
    relock.reportLockState('front', 'locked');
    await clock.advance(0);
    relock.reportLockState('front', 'locked');
    await clock.advance(0);
    expect(notifier.dismissed).toEqual([FAILED]);
  });

  it('B8 removing a lock cancels its timer and removes its entry', async () => {
    const { relock, clock, driver, stored } = await bench();
    await relock.addLock(frontDoor());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(MINUTE);
    expect(await stored('timer:front')).toBeDefined();
    await relock.removeLock('front');
    expect(await stored('timer:front')).toBeUndefined();
    expect(await stored('lock:front')).toBeUndefined();
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toEqual([]);
    expect(() => relock.status('front')).toThrow(/No lock with id "front"/);
    await relock.addLock(frontDoor());
    expect(relock.status('front')).toMatchObject({ lockState: 'unknown', running: false });
  });

  it('B9 a reload during an in-flight fire: the fire completes, the handoff completes, one command is sent', async () => {
    const { relock, clock, driver, notifier } = await bench();
    await relock.addLock(frontDoor());
    let finish!: () => void;
    driver.script(() => new Promise<void>((resolve) => (finish = resolve)));
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    expect(driver.commands).toHaveLength(1);
    const reloaded = relock.updateLock(frontDoor({ name: 'Front Door v2' }));
    await reloaded;
    expect(relock.status('front')).toMatchObject({ name: 'Front Door v2', lockState: 'unlocked' });
    finish();
    await clock.advance(0);
    expect(driver.commands).toEqual(['front@Front Door']);
    // accepted but not yet confirmed locked: the autolock is armed for another cycle
    expect(relock.status('front')).toMatchObject({ name: 'Front Door v2', timerState: 'ACTIVE', running: true });
    relock.reportLockState('front', 'locked');
    await clock.advance(0);
    expect(notifier.dismissed).toEqual([]); // no notice was shown: none dismissed
    expect(relock.status('front')).toMatchObject({ timerState: 'DONE', running: false });
  });

  it('a lock command that was accepted but never confirmed is retried after the confirmation wait, until the host reports locked', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(frontDoor());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    expect(driver.commands).toHaveLength(1);
    expect(relock.status('front')).toMatchObject({ running: true, autolock: 'confirming' });
    // 30 s to confirm, then 30 s of backoff: the second attempt
    await clock.advance(60_000);
    expect(driver.commands).toHaveLength(2);
    relock.reportLockState('front', 'locked');
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toHaveLength(2);
    expect(relock.status('front').running).toBe(false);
  });

  it('B9 a fire after a reload acts on the new lock, and the running timer is handed over, not restarted', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(frontDoor());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(4 * MINUTE);
    const endsAt = relock.status('front').endsAt;
    await relock.updateLock(frontDoor({ name: 'Porch', autolock: { enabled: true, dayMinutes: 99 } }));
    expect(relock.status('front')).toMatchObject({ endsAt, running: true, lockState: 'unlocked' });
    await clock.advance(6 * MINUTE);
    expect(driver.commands).toEqual(['front@Porch']);
  });

  it('B10 config, runtime state and code slots are persisted and restored on restart', async () => {
    const first = await bench();
    await first.relock.addLock(frontDoor());
    first.relock.setAutolock('front', { dayMinutes: 30 });
    first.relock.reportDoorState('front', 'closed');
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(MINUTE);
    await first.relock.stop();
    h = undefined;

    const second = await bench({ clock: first.clock, map: first.map });
    // no autolock block: the stored settings (set by setAutolock) stay
    await second.relock.addLock(frontDoor({ autolock: undefined, codeSlots: [{ number: 1, pin: '000000' }] }));
    expect(second.relock.status('front')).toMatchObject({
      lockState: 'unlocked',
      doorState: 'closed',
      running: true,
      durationSeconds: 1800,
    });
    const record = (await second.stored('lock:front')) as {
      config: { autolock: { dayMinutes: number }; codeSlots: { number: number; pin: string; name: string }[] };
    };
    expect(record.config.autolock.dayMinutes).toBe(30);
    expect(record.config.codeSlots).toEqual([expect.objectContaining({ number: 1, name: 'Alice', pin: '482913' })]);
    await second.clock.advance(29 * MINUTE);
    expect(second.driver.commands).toEqual(['front@Front Door']);
  });

  it('B10 PINs are never logged, emitted or shown to an inspector', async () => {
    const { relock, clock, logs, events, inspected, notifier, driver } = await bench();
    await relock.addLock(frontDoor());
    await relock.updateLock(
      frontDoor({
        codeSlots: [
          { number: 1, pin: '123456' },
          { number: 3, pin: '918273' },
        ],
      }),
    );
    await expect(relock.updateLock(frontDoor({ codeSlots: [{ number: 1, pin: '12ab' }] }))).rejects.toThrow(
      /codeSlots\[0\]\.pin: \[redacted\]/,
    );
    driver.script('throw');
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    await relock.updateLock(frontDoor({ codeSlots: [] }));
    await relock.stop();
    h = undefined;
    const everything = [
      ...logs,
      ...events.map((e) => JSON.stringify(e)),
      ...inspected,
      JSON.stringify(notifier.notified),
    ].join('\n');
    expect(inspected.length).toBeGreaterThan(20);
    expect(everything).toContain('[PIN]');
    for (const pin of ['482913', '771204', '918273', '12ab']) expect(everything).not.toContain(pin);
  });
});

describe('reload handoff', () => {
  it('a replacement with no code slots while the old had some is a loud error event and keeps the slots', async () => {
    const { relock, events, logs, stored } = await bench();
    await relock.addLock(frontDoor());
    await relock.updateLock(frontDoor({ codeSlots: [] }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'lock.error', lockId: 'front' }));
    expect(logs.some((line) => line.startsWith('error'))).toBe(true);
    await relock.flush();
    const record = (await stored('lock:front')) as { config: { codeSlots: unknown[] } };
    expect(record.config.codeSlots).toHaveLength(2);
  });

  it('the new lock inherits runtime state, pending retry, and (when the host gives none) autolock settings', async () => {
    const { relock, clock } = await bench();
    await relock.addLock(frontDoor());
    relock.setAutolock('front', { nightMinutes: 7 });
    relock.reportLockState('front', 'unlocked');
    relock.reportDoorState('front', 'open');
    await clock.advance(10 * MINUTE);
    await relock.updateLock(frontDoor({ autolock: undefined }));
    expect(relock.status('front')).toMatchObject({
      lockState: 'unlocked',
      doorState: 'open',
      pendingRetry: true,
      autolockEnabled: true,
    });
    const lock = relock.actor.system.get('lock:front') as {
      getSnapshot(): { context: { config: { autolock: { nightMinutes: number } } } };
    };
    expect(lock.getSnapshot().context.config.autolock.nightMinutes).toBe(7);
    relock.reportDoorState('front', 'closed');
    await clock.advance(0);
    expect(relock.status('front').pendingRetry).toBe(false);
  });

  it('the coordinator holds a bounded number of children, whatever the number of locks', async () => {
    const { relock } = await bench();
    for (let i = 0; i < 50; i++) await relock.addLock(frontDoor({ id: `lock-${i}`, name: `Lock ${i}` }));
    expect(Object.keys(relock.actor.getSnapshot().children)).toEqual(['persistence']);
    expect(relock.actor.system.get('lock:lock-49')).toBeDefined();
    expect(relock.actor.system.get('timer:lock-49')).toBeDefined();
  });
});
