/**
 * Node conventions of the public API (issue 14): `await using` stops the system, `{ signal }`
 * abandons the wait of a call (never the operation), and every event carries `at` from the
 * injected clock; a notice is dismissed only when it shows. All in simulated time: a store that hangs and a ManualClock, no real sleeps.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock/manual-clock.js';
import { InvalidArgumentError, SystemStoppedError } from '../src/errors.js';
import type { RelockEvent } from '../src/events.js';
import { createRelock } from '../src/relock.js';
import { DOOR_OPEN, FAILED, lock, policyBench } from './support/policy-bench.js';
import { MINUTE, relockHarness } from './support/relock-harness.js';

const DOOR_CLOSED = 'front_door__front_autolock_door_closed';

const driver = { lock: async () => {} };

/** A harness whose lock `front` is added and settled, and unlocked with no autolock running. */
async function harnessWithLock(autolock: Record<string, unknown> = {}) {
  const h = await relockHarness();
  await h.relock.addLock({ id: 'front', name: 'Front Door', hasDoorSensor: true, autolock });
  await h.clock.advance(0);
  return h;
}

/** Lets every promise that can settle without the clock settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('await using: Symbol.asyncDispose stops the system', () => {
  it('a system declared with await using is stopped when its scope ends', async () => {
    let escaped: Awaited<ReturnType<typeof createRelock>> | undefined;
    {
      await using relock = await createRelock({ driver, clock: new ManualClock() });
      await relock.addLock({ id: 'front', name: 'Front' });
      escaped = relock;
      expect(relock.lockIds()).toEqual(['front']);
    }
    expect(escaped.actor.getSnapshot().status).not.toBe('active');
    await expect(escaped.startAutolock('front', 60)).rejects.toBeInstanceOf(SystemStoppedError);
  });

  it('disposing after stop() (and stop() after disposing) resolves and does nothing more', async () => {
    const h = await harnessWithLock();
    await h.relock.stop();
    const setsAfterStop = h.map.calls.length;
    await h.relock[Symbol.asyncDispose]();
    await h.relock[Symbol.asyncDispose]();
    await h.relock.stop();
    expect(h.map.calls.length).toBe(setsAfterStop);

    const other = await relockHarness();
    await other.relock[Symbol.asyncDispose]();
    await other.relock.stop();
    expect(other.relock.actor.getSnapshot().status).not.toBe('active');
  });

  it('disposing waits for the stop: pending writes are durable when it resolves', async () => {
    const h = await harnessWithLock({ enabled: true });
    const release = h.map.holdNext('set');
    void h.relock.startAutolock('front', 300).catch(() => {});
    await settle();
    expect(h.map.calls.at(-1)).toEqual({ op: 'set', key: 'keyv:timer:front' }); // in flight, held
    const disposed = h.relock[Symbol.asyncDispose]();
    let done = false;
    void disposed.then(() => {
      done = true;
    });
    await settle();
    expect(done).toBe(false);
    release();
    await disposed;
    expect(await h.stored('timer:front')).toMatchObject({ durationSeconds: 300 });
  });
});

describe('{ signal }: an abort abandons the wait, not the operation', () => {
  it('startAutolock on a hung store rejects at once with the AbortError of the signal; the start stays sent', async () => {
    const h = await harnessWithLock({ enabled: true });
    const release = h.map.holdNext('set'); // the store never answers until released
    const controller = new AbortController();
    const start = h.relock.startAutolock('front', 300, { signal: controller.signal });
    await settle();
    controller.abort();
    await expect(start).rejects.toMatchObject({ name: 'AbortError' });
    expect(h.clock.now()).toBe(new ManualClock().now()); // no simulated time passed either
    // the start was accepted: the countdown runs, and its entry is written once the store answers
    expect(h.relock.status('front')).toMatchObject({ running: true, durationSeconds: 300, timerState: 'ARMING' });
    release();
    await h.relock.flush();
    expect(await h.stored('timer:front')).toMatchObject({ durationSeconds: 300 });
    expect(h.relock.status('front').timerState).toBe('ACTIVE');
  });

  it('startAutolock(id, { signal }) takes the day or night minutes, and rejects with the reason the host gave', async () => {
    const h = await harnessWithLock({ enabled: true, dayMinutes: 7 });
    h.map.holdNext('set');
    const controller = new AbortController();
    const start = h.relock.startAutolock('front', { signal: controller.signal });
    const reason = new Error('the user navigated away');
    controller.abort(reason);
    await expect(start).rejects.toBe(reason);
    expect(h.relock.status('front')).toMatchObject({ running: true, durationSeconds: 7 * 60 });
  });

  it('a signal already aborted rejects before anything is done', async () => {
    const h = await harnessWithLock({ enabled: true });
    const signal = AbortSignal.abort();
    const before = h.events.length;
    await expect(h.relock.startAutolock('front', 300, { signal })).rejects.toBe(signal.reason);
    await expect(h.relock.cancelAutolock('front', { signal })).rejects.toBe(signal.reason);
    await expect(h.relock.flush({ signal })).rejects.toBe(signal.reason);
    await expect(h.relock.stop({ signal })).rejects.toBe(signal.reason);
    await h.clock.advance(0);
    expect(h.relock.status('front')).toMatchObject({ running: false, timerState: 'DONE' });
    expect(h.events.slice(before)).toEqual([]);
    expect(h.relock.lockIds()).toEqual(['front']); // not stopped
  });

  it('cancelAutolock on a hung store rejects on abort; the cancel stands and the entry goes once the store answers', async () => {
    const h = await harnessWithLock({ enabled: true });
    await h.relock.startAutolock('front', 300);
    const release = h.map.holdNext('delete');
    const controller = new AbortController();
    const cancel = h.relock.cancelAutolock('front', { signal: controller.signal });
    await settle();
    controller.abort();
    await expect(cancel).rejects.toMatchObject({ name: 'AbortError' });
    expect(h.events.map((e) => e.type)).toContain('autolock.cancelled');
    release();
    await h.relock.flush();
    await h.clock.advance(10 * MINUTE);
    expect(await h.stored('timer:front')).toBeUndefined();
    expect(h.driver.commands).toEqual([]); // cancelled: nothing fires
    expect(h.relock.status('front')).toMatchObject({ running: false, timerState: 'DONE' });
  });

  it('extendAutolock on a hung store rejects on abort; the new end is durable once the store answers', async () => {
    const h = await harnessWithLock({ enabled: true });
    await h.relock.startAutolock('front', 300);
    const release = h.map.holdNext('set');
    const controller = new AbortController();
    const extend = h.relock.extendAutolock('front', 60, { signal: controller.signal });
    await settle();
    controller.abort();
    await expect(extend).rejects.toMatchObject({ name: 'AbortError' });
    release();
    await h.relock.flush();
    expect(await h.stored('timer:front')).toMatchObject({ durationSeconds: 360 });
  });

  it('flush on a hung store rejects on abort; the write stays queued and a later flush sees it durable', async () => {
    const h = await harnessWithLock({ enabled: true });
    const release = h.map.holdNext('set');
    void h.relock.startAutolock('front', 300).catch(() => {});
    await settle();
    expect(h.map.calls.at(-1)).toEqual({ op: 'set', key: 'keyv:timer:front' }); // in flight, held
    const controller = new AbortController();
    const flush = h.relock.flush({ signal: controller.signal });
    await settle();
    controller.abort();
    await expect(flush).rejects.toMatchObject({ name: 'AbortError' });
    release();
    await h.relock.flush();
    expect(await h.stored('timer:front')).toMatchObject({ durationSeconds: 300 });
  });

  it('stop on a hung store rejects on abort; the stop goes on (no call is taken) and a later stop waits for it', async () => {
    const h = await harnessWithLock({ enabled: true });
    const release = h.map.holdNext('set');
    void h.relock.startAutolock('front', 300).catch(() => {});
    await settle();
    expect(h.map.calls.at(-1)).toEqual({ op: 'set', key: 'keyv:timer:front' }); // in flight, held
    const controller = new AbortController();
    const stop = h.relock.stop({ signal: controller.signal });
    await settle();
    controller.abort();
    await expect(stop).rejects.toMatchObject({ name: 'AbortError' });
    expect(() => h.relock.status('front')).toThrow(SystemStoppedError);
    release();
    await h.relock.stop();
    expect(h.relock.actor.getSnapshot().status).not.toBe('active');
    expect(await h.stored('timer:front')).toMatchObject({ durationSeconds: 300 });
  });

  it('a call whose wait ends before the abort resolves as without a signal; a later abort changes nothing', async () => {
    const h = await harnessWithLock({ enabled: true });
    const controller = new AbortController();
    await h.relock.startAutolock('front', 300, { signal: controller.signal });
    controller.abort();
    await h.relock.flush({ signal: AbortSignal.timeout(60_000) });
    expect(h.relock.status('front')).toMatchObject({ running: true, timerState: 'ACTIVE' });
  });

  it('options that are not { signal?: AbortSignal } are refused with InvalidArgumentError naming the field', async () => {
    const h = await harnessWithLock({ enabled: true });
    const notSignal = { aborted: true };
    await expect(h.relock.startAutolock('front', 60, { signal: notSignal as never })).rejects.toMatchObject({
      field: 'options.signal',
    });
    await expect(h.relock.startAutolock('front', { signal: 'stop' as never })).rejects.toMatchObject({
      field: 'options.signal',
    });
    await expect(h.relock.cancelAutolock('front', 5 as never)).rejects.toMatchObject({ field: 'options' });
    await expect(h.relock.extendAutolock('front', 60, [] as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(h.relock.flush(null as never)).rejects.toMatchObject({ field: 'options' });
    await expect(h.relock.stop('now' as never)).rejects.toMatchObject({ field: 'options' });
    await h.clock.advance(0);
    expect(h.relock.status('front')).toMatchObject({ running: false });
    expect(h.relock.lockIds()).toEqual(['front']);
  });
});

describe('every event carries at, from the injected clock', () => {
  it('each event of a busy life is stamped with the clock reading at its emission (not Date.now())', async () => {
    const start = Date.UTC(2031, 2, 3, 4, 5, 6); // far from the real time: Date.now() would show
    const h = await relockHarness({ clock: new ManualClock(start) });
    const stamped: Array<{ event: RelockEvent; now: number }> = [];
    h.relock.subscribe((event) => stamped.push({ event, now: h.clock.now() }));
    await h.relock.addLock({
      id: 'front',
      name: 'Front Door',
      hasDoorSensor: true,
      autolock: {
        enabled: true,
        dayMinutes: 5,
        warnSeconds: 60,
        doorMode: 'never-while-open',
        doorOpenNoticeMinutes: 2,
      },
    });
    await h.relock.addLock({ id: 'back', name: 'Back Door', codeSlots: [{ number: 1, name: 'Guest', pin: '482913' }] });
    h.notifier.failDismissOf.add('front_door__front_autolock_door_open');
    h.relock.reportLockState('front', 'unlocked');
    h.relock.reportDoorState('front', 'open');
    await h.clock.advance(5 * MINUTE); // warning, left-open notice, a deferred fire
    h.driver.script('throw');
    h.relock.reportDoorState('front', 'closed'); // attempt 1 fails
    await h.clock.advance(0);
    await h.clock.advance(30_000); // attempt 2 is accepted
    h.relock.reportLockState('front', 'locked'); // confirmed
    await h.clock.advance(0);
    h.relock.reportLockState('front', 'jammed');
    h.relock.reportLockState('back', 'unlocked');
    await h.clock.advance(0);
    await h.relock.startAutolock('back', 60);
    await h.relock.cancelAutolock('back');
    await h.relock.updateLock({ id: 'back', name: 'Back Door', codeSlots: [] }); // lock.error
    h.hostFaults.nanNow = 1; // host.error, reported from inside the clock read
    h.relock.status('back');
    h.map.failNext('set');
    await h.relock.startAutolock('back', 60).catch(() => {}); // store.error
    await h.clock.advance(MINUTE);

    const types = new Set(stamped.map(({ event }) => event.type));
    expect([...types].sort()).toEqual(
      [
        'autolock.attempt',
        'autolock.cancelled',
        'autolock.confirmed',
        'autolock.failed',
        'autolock.fired',
        'autolock.retry-pending',
        'autolock.started',
        'autolock.warning',
        'door.left-open',
        'host.error',
        'lock.error',
        'lock.jammed',
        'notifier.error',
        'store.error',
      ].sort(),
    );
    const wrong = stamped.filter(({ event, now }) => event.at !== now).map(({ event, now }) => ({ event, now }));
    expect(wrong).toEqual([]);
    expect(stamped.every(({ event }) => event.at >= start && event.at < start + 24 * 60 * MINUTE)).toBe(true);
  });

  it('an event emitted while the clock is failing carries the last good time, and nothing loops', async () => {
    const h = await harnessWithLock({ enabled: true });
    const goodTime = h.clock.now();
    h.hostFaults.nanNow = 3;
    h.relock.reportLockState('front', 'unlocked');
    await h.clock.advance(0);
    const hostErrors = h.events.filter((e) => e.type === 'host.error');
    expect(hostErrors.length).toBeGreaterThan(0);
    expect(hostErrors.every((e) => e.at === goodTime)).toBe(true);
  });
});

describe('a dismiss only for a notice that shows, also across a reload and a restart', () => {
  const { bench, restart } = policyBench();

  it('a locked report with nothing shown dismisses nothing, also after a restart', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(MINUTE);
    await first.relock.stop();
    const second = await restart(first, lock());
    second.relock.reportLockState('front', 'locked');
    await second.clock.advance(0);
    expect(second.notifier.dismissed).toEqual([]);
  });

  it('a failure notice left showing at a restart is dismissed, alone and once, by the next locked report', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.driver.script('throw');
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(10 * MINUTE); // attempt 1 failed: notified; attempt 2 in 30 s
    expect(first.notifier.ids()).toEqual([FAILED]);
    await first.relock.flush();
    await first.relock.stop();
    expect(first.notifier.dismissed).toEqual([]);

    const second = await restart(first, lock());
    second.relock.reportLockState('front', 'locked');
    await second.clock.advance(0);
    expect(second.notifier.dismissed).toEqual([FAILED]);
    second.relock.reportLockState('front', 'unlocked');
    await second.clock.advance(0);
    second.relock.reportLockState('front', 'locked');
    await second.clock.advance(0);
    expect(second.notifier.dismissed).toEqual([FAILED]);
  });

  it('a reload keeps the failure notice showing: the locked report after it dismisses it', async () => {
    const h = await bench();
    await h.relock.addLock(lock());
    h.driver.script('throw');
    h.relock.reportLockState('front', 'unlocked');
    await h.clock.advance(10 * MINUTE);
    await h.relock.updateLock(lock({ maxAttempts: 3 }));
    h.relock.reportLockState('front', 'locked');
    await h.clock.advance(0);
    expect(h.notifier.dismissed).toEqual([FAILED]);
  });

  it('a pending retry notified before a restart: closing the door after it dismisses door_open once and notifies door_closed, which the locked report dismisses', async () => {
    const first = await bench();
    await first.relock.addLock(lock({ doorMode: 'never-while-open', doorOpenNoticeMinutes: 3 }));
    first.relock.reportLockState('front', 'unlocked');
    first.relock.reportDoorState('front', 'open');
    await first.clock.advance(10 * MINUTE); // left open (3 min), then the retry's door-open notice
    expect(first.notifier.ids()).toEqual([DOOR_OPEN, DOOR_OPEN]);
    await first.relock.flush();
    await first.relock.stop();

    const second = await restart(first, lock({ doorMode: 'never-while-open', doorOpenNoticeMinutes: 3 }));
    second.relock.reportDoorState('front', 'closed');
    await second.clock.advance(0);
    expect(second.notifier.dismissed).toEqual([DOOR_OPEN]);
    expect(second.notifier.ids()).toEqual([DOOR_CLOSED]);
    second.relock.reportLockState('front', 'locked');
    await second.clock.advance(0);
    expect(second.notifier.dismissed).toEqual([DOOR_OPEN, DOOR_CLOSED]);
  });

  it('cancelling a pending retry by hand dismisses its door_open notice; the locked report after dismisses nothing more', async () => {
    const h = await bench();
    await h.relock.addLock(lock({ doorMode: 'never-while-open' }));
    h.relock.reportLockState('front', 'unlocked');
    h.relock.reportDoorState('front', 'open');
    await h.clock.advance(10 * MINUTE);
    await h.relock.cancelAutolock('front');
    expect(h.notifier.dismissed).toEqual([DOOR_OPEN]);
    h.relock.reportLockState('front', 'locked');
    await h.clock.advance(0);
    expect(h.notifier.dismissed).toEqual([DOOR_OPEN]);
  });

  it('removing a lock dismisses every notice it left showing, and only those', async () => {
    const h = await bench();
    await h.relock.addLock(lock());
    h.driver.script('throw');
    h.relock.reportLockState('front', 'unlocked');
    await h.clock.advance(10 * MINUTE);
    await h.relock.removeLock('front');
    expect(h.notifier.dismissed).toEqual([FAILED]);
  });
});
