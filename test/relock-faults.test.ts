/**
 * A hostile host against a whole relock system: cancels racing fires, failing deletes,
 * un-awaited remove/add, failed reads at start-up, wall-clock steps, settings passed again,
 * durations that cannot be encoded, and a reload while a retry's command is in flight. Each
 * test is named after the item of issue 10 that it pins.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_AUTOLOCK_SECONDS } from '../src/actors/autolock-timer.actor.js';
import type { Clock } from '../src/clock/clock.js';
import { ManualClock } from '../src/clock/manual-clock.js';
import type { RelockEvent } from '../src/events.js';
import type { LockConfigInput } from '../src/model/lock-config.js';
import { createRelock } from '../src/relock.js';
import { EventGrammar } from './support/event-grammar.js';
import { MINUTE, type RelockHarness, relockHarness } from './support/relock-harness.js';

const harnesses: RelockHarness[] = [];
const bench = async (options?: Parameters<typeof relockHarness>[0]) => {
  const h = await relockHarness(options);
  harnesses.push(h);
  return h;
};
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.relock.stop();
});

const lock = (overrides: Partial<LockConfigInput> = {}): LockConfigInput => ({
  id: 'front',
  name: 'Front Door',
  hasDoorSensor: true,
  autolock: { enabled: true, dayMinutes: 5, nightMinutes: 5, retryWhenDoorCloses: true },
  codeSlots: [{ number: 1, name: 'Alice', pin: '482913' }],
  ...overrides,
});

/** A relock system on a host clock of the test's making (to spoil), recording its events and commands. */
async function onHostClock(hostClock: Clock) {
  const events: RelockEvent[] = [];
  const commands: string[] = [];
  const relock = await createRelock({
    clock: hostClock,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    driver: {
      async lock(view) {
        commands.push(view.id);
      },
    },
  });
  relock.subscribe((event) => events.push(event));
  await relock.addLock({ id: 'front', name: 'Front' });
  return { relock, events, commands };
}

/** A driver command that waits until the test lets it go. */
function slowCommands(h: RelockHarness) {
  const pending: Array<() => void> = [];
  h.driver.fallback = () =>
    new Promise<void>((resolve) => {
      pending.push(resolve);
    });
  return pending;
}

describe('autolocks that come back after a cancel, or fire twice', () => {
  it('(10.1) an awaited cancel during an in-flight fire ends the cycle: no command until a new cycle starts', async () => {
    const h = await bench({ actionTimeoutMs: 60_000 });
    const release = slowCommands(h);
    await h.relock.addLock(lock());
    h.relock.reportLockState('front', 'unlocked');
    await h.clock.advance(5 * MINUTE);
    expect(h.driver.commands).toHaveLength(1);
    let settled = false;
    const cancelled = h.relock.cancelAutolock('front').then(() => {
      settled = true;
    });
    await h.clock.advance(0);
    expect(settled).toBe(false); // it joins the fire in flight
    release.shift()?.();
    await cancelled;
    expect(h.relock.status('front')).toMatchObject({ running: false, timerState: 'DONE', lockState: 'unlocked' });
    await h.clock.advance(30 * MINUTE);
    expect(h.driver.commands).toHaveLength(1);
    // a new cycle starts the autolock again
    h.driver.fallback = 'ok';
    h.relock.reportLockState('front', 'locked');
    h.relock.reportLockState('front', 'unlocked');
    await h.clock.advance(5 * MINUTE);
    expect(h.driver.commands).toHaveLength(2);
  });

  it('(10.2) a failed delete during a cancel is retried until durable; the cancelled autolock never fires after a restart', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(0);
    first.map.failNext('delete');
    await expect(first.relock.cancelAutolock('front')).rejects.toMatchObject({
      code: 'STORE_ERROR',
      operation: 'remove',
    });
    // status does not claim what is not on disk
    expect(first.relock.status('front')).toMatchObject({ timerState: 'ACTIVE', running: false });
    expect(await first.stored('timer:front')).toBeDefined();
    await first.clock.advance(2_000);
    expect(first.relock.status('front')).toMatchObject({ timerState: 'DONE', running: false });
    expect(await first.stored('timer:front')).toBeUndefined();
    await first.relock.stop();

    const second = await bench({ clock: first.clock, map: first.map });
    await second.relock.addLock(lock({ autolock: undefined }));
    await second.clock.advance(0);
    second.relock.reportLockState('front', 'locked');
    await second.clock.advance(60 * MINUTE);
    expect([...first.driver.commands, ...second.driver.commands]).toEqual([]);
  });

  it('(10.2) a failed delete after a successful fire is tried again at stop: no second command at restart', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(0);
    first.map.failNext('delete');
    const releaseDelete = first.map.holdNext('delete');
    await first.clock.advance(5 * MINUTE);
    expect(first.driver.commands).toHaveLength(1);
    first.relock.reportLockState('front', 'locked'); // the host confirms while the entry is being removed
    await first.clock.advance(0);
    releaseDelete(); // ... and the removal fails
    await first.clock.advance(0);
    expect(first.relock.status('front').timerState).toBe('ACTIVE'); // the entry is still on disk
    await first.relock.stop();
    expect(await first.stored('timer:front')).toBeUndefined();

    const second = await bench({ clock: first.clock, map: first.map });
    await second.relock.addLock(lock({ autolock: undefined }));
    second.relock.reportLockState('front', 'locked');
    await second.clock.advance(60 * MINUTE);
    expect(second.driver.commands).toEqual([]);
  });

  it("(10.4) remove and re-add without awaiting: the new lock never reads the removed lock's record", async () => {
    const first = await bench();
    await first.relock.addLock(lock({ autolock: { enabled: true, dayMinutes: 1 } }));
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(0);
    const removed = first.relock.removeLock('front');
    const added = first.relock.addLock({ id: 'front', name: 'New Front' });
    await Promise.all([removed, added]);
    expect(first.relock.status('front')).toMatchObject({
      name: 'New Front',
      lockState: 'unknown',
      autolockEnabled: false,
      running: false,
    });
    await first.clock.advance(30 * MINUTE);
    expect(first.driver.commands).toEqual([]);
    await first.relock.stop();
    const record = (await first.stored('lock:front')) as { config: { codeSlots: unknown[] } };
    expect(record.config.codeSlots).toEqual([]); // the old PIN did not come back

    const second = await bench({ clock: first.clock, map: first.map });
    await second.relock.addLock({ id: 'front', name: 'New Front' });
    expect(second.relock.status('front')).toMatchObject({ lockState: 'unknown', autolockEnabled: false });
    await second.clock.advance(30 * MINUTE);
    expect(second.driver.commands).toEqual([]);
  });
});

describe('autolocks that are lost, late or stuck', () => {
  it('(10.6) a timer entry whose read fails does not hold the batch: addLocks resolves and that lock shows it is recovering', async () => {
    const h = await bench();
    h.map.failKeys.set('keyv:timer:back', 3);
    const statuses = await h.relock.addLocks([lock(), lock({ id: 'back', name: 'Back' })]);
    expect(statuses.map((s) => s.timerState)).toEqual(['DONE', 'FRESH']);
    await h.clock.advance(10_000);
    expect(h.relock.status('back').timerState).toBe('DONE');
  });

  it('(10.7) a lock record of a newer format holds no one up: the lock starts from the host config, the record untouched', async () => {
    const h = await bench();
    const newer = JSON.stringify({ value: { v: 2, somethingNew: true }, expires: null });
    h.map.seed('keyv:lock:front', newer);
    const statuses = await h.relock.addLocks([lock(), lock({ id: 'back', name: 'Back' })]);
    expect(statuses.map((s) => s.id)).toEqual(['front', 'back']);
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'store.unreadable', key: 'lock:front' }));
    h.relock.reportLockState('front', 'unlocked');
    await h.clock.advance(5 * MINUTE);
    expect(h.driver.commands).toEqual(['front@Front Door']);
    await h.relock.flush();
    expect(await h.map.get('keyv:lock:front')).toBe(newer);
  });

  it('(10.22) an arm asked for while the timer is recovering from a failed read is honoured when recovery ends', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(0);
    await first.relock.stop();
    // unlocked, autolock on, no entry (the process died between the record and the entry)
    first.map.delete('keyv:timer:front');

    const second = await bench({ clock: first.clock, map: first.map });
    second.map.failKeys.set('keyv:timer:front', 1);
    const [status] = await second.relock.addLocks([lock({ autolock: undefined })]);
    expect(status).toMatchObject({ lockState: 'unlocked', timerState: 'FRESH' });
    second.relock.reportLockState('front', 'unlocked'); // repeated: changes nothing by itself
    await second.clock.advance(2_000);
    expect(second.relock.status('front')).toMatchObject({ running: true, timerState: 'ACTIVE' });
    await second.clock.advance(5 * MINUTE);
    expect(second.driver.commands).toEqual(['front@Front Door']);
  });

  it('(10.9) a wall-clock step forward fires the autolock within a minute of its end time', async () => {
    const h = await bench();
    await h.relock.addLock(lock());
    h.relock.reportLockState('front', 'unlocked'); // started while the wall clock was a day behind
    await h.clock.advance(0);
    h.clock.stepWallClock(24 * 60 * MINUTE); // then corrected
    expect(h.relock.status('front').remainingSeconds).toBe(0);
    await h.clock.advance(MINUTE);
    expect(h.driver.commands).toEqual(['front@Front Door']);
  });

  it('(10.9) a wall-clock step back never fires early, and remainingSeconds follows the wall clock', async () => {
    const h = await bench();
    await h.relock.addLock(lock());
    h.relock.reportLockState('front', 'unlocked');
    await h.clock.advance(0);
    const endsAt = h.relock.status('front').endsAt as number;
    h.clock.stepWallClock(-60 * MINUTE);
    expect(h.relock.status('front').remainingSeconds).toBe(65 * 60);
    await h.clock.advance(6 * MINUTE);
    expect(h.driver.commands).toEqual([]);
    // late by at most one check period; the unconfirmed command's retry would come a minute later
    await h.clock.advanceTo(endsAt + 30_000);
    expect(h.driver.commands).toEqual(['front@Front Door']);
  });

  it('(10.10) the autolock block the host passes is the configuration; without one, the stored settings stay', async () => {
    const first = await bench();
    await first.relock.addLock(lock({ autolock: { enabled: true, dayMinutes: 1 } }));
    first.relock.setAutolock('front', { dayMinutes: 5 });
    await first.relock.stop();

    const second = await bench({ clock: first.clock, map: first.map });
    await second.relock.addLock(lock({ autolock: { enabled: true, dayMinutes: 9 } }));
    second.relock.reportLockState('front', 'unlocked');
    await second.clock.advance(0);
    expect(second.relock.status('front').durationSeconds).toBe(9 * 60);
    // a reload that turns autolock off cancels the running one
    await second.relock.updateLock(lock({ autolock: { enabled: false } }));
    await second.clock.advance(0);
    expect(second.relock.status('front')).toMatchObject({ autolockEnabled: false, running: false });
    await second.clock.advance(30 * MINUTE);
    expect(second.driver.commands).toEqual([]);
    // and a reload that turns it back on starts it (the lock is unlocked)
    await second.relock.updateLock(lock({ autolock: { enabled: true, dayMinutes: 3 } }));
    await second.clock.advance(0);
    expect(second.relock.status('front')).toMatchObject({ running: true, durationSeconds: 180 });
    // no block: the settings stay as they are
    await second.relock.updateLock(lock({ autolock: undefined }));
    expect(second.relock.status('front')).toMatchObject({ autolockEnabled: true, running: true, durationSeconds: 180 });
  });

  it('(10.11) a duration beyond the documented maximum is refused, naming the field and the value', async () => {
    const h = await bench();
    await h.relock.addLock(lock());
    for (const huge of [2 ** 53, 1e300, MAX_AUTOLOCK_SECONDS + 1]) {
      await expect(h.relock.startAutolock('front', huge)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        field: 'durationSeconds',
        value: huge,
      });
    }
    expect(h.relock.status('front')).toMatchObject({ timerState: 'DONE', running: false });
    await h.relock.startAutolock('front', MAX_AUTOLOCK_SECONDS);
    expect(h.relock.status('front')).toMatchObject({ timerState: 'ACTIVE', durationSeconds: MAX_AUTOLOCK_SECONDS });
  });

  it('(10.23) a reload during a door-close lock command leaves that command to the timer: one command, then its confirmation', async () => {
    const h = await bench({ actionTimeoutMs: 60_000 });
    await h.relock.addLock(lock());
    h.relock.reportLockState('front', 'unlocked');
    h.relock.reportDoorState('front', 'open');
    await h.clock.advance(5 * MINUTE);
    expect(h.relock.status('front').pendingRetry).toBe(true);
    const release = slowCommands(h);
    h.relock.reportDoorState('front', 'closed');
    await h.clock.advance(0);
    expect(h.driver.commands).toHaveLength(1); // the retry's command, in flight

    await h.relock.updateLock(lock({ name: 'Front Door v2' }));
    expect(h.relock.status('front')).toMatchObject({ autolock: 'locking', name: 'Front Door v2' });
    h.relock.reportDoorState('front', 'open');
    h.relock.reportDoorState('front', 'closed');
    await h.clock.advance(0);
    expect(h.driver.commands).toHaveLength(1); // no second command while the first is out

    release.shift()?.(); // accepted, but the host has not reported locked: the timer waits for it
    await h.clock.advance(0);
    expect(h.relock.status('front')).toMatchObject({ pendingRetry: false, running: true, autolock: 'confirming' });
    h.relock.reportLockState('front', 'locked');
    await h.clock.advance(0);
    expect(h.relock.status('front')).toMatchObject({ autolock: 'idle', running: false });
    expect(h.events).toContainEqual({ type: 'autolock.confirmed', lockId: 'front', attempt: 1, at: h.clock.now() });
  });
});

describe('host callbacks that break actors', () => {
  it('(10.12) a daylight function that throws is reported, the day minutes are used, and the lock lives on', async () => {
    const h = await bench();
    await h.relock.addLock(lock({ autolock: { enabled: true, dayMinutes: 5, nightMinutes: 1 } }));
    const daylight = h.daylight as { isDay: unknown };
    Object.defineProperty(daylight, 'isDay', {
      get() {
        throw new Error('sun not found');
      },
    });
    h.relock.reportLockState('front', 'unlocked');
    await h.clock.advance(0);
    expect(h.relock.status('front')).toMatchObject({ running: true, durationSeconds: 300 });
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'host.error', source: 'daylight', lockId: 'front' }),
    );
    h.relock.reportLockState('front', 'locked');
    await h.clock.advance(0);
    expect(h.relock.status('front')).toMatchObject({ lockState: 'locked', running: false });
  });

  it('(10.12) a clock whose now() returns NaN does not break the timer: the last good time stands, and it is reported', async () => {
    const clock = new ManualClock();
    let broken = 0;
    const hostClock = {
      now: () => (broken-- > 0 ? Number.NaN : clock.now()),
      setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, ms),
      clearTimeout: (handle: unknown) => clock.clearTimeout(handle),
    };
    const { relock, events, commands } = await onHostClock(hostClock);
    try {
      broken = 3;
      await relock.startAutolock('front', 60);
      expect(relock.status('front')).toMatchObject({ timerState: 'ACTIVE', running: true });
      expect(events).toContainEqual(expect.objectContaining({ type: 'host.error', source: 'clock' }));
      await clock.advance(MINUTE);
      expect(commands).toEqual(['front']);
    } finally {
      await relock.stop();
    }
    await expect(
      createRelock({ clock: { ...hostClock, now: () => Number.NaN }, driver: { lock: async () => {} } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'clock.now()' });
  });

  it('(10.12) a status-store subscriber that throws is reported; other subscribers and the actors go on', async () => {
    const h = await bench();
    await h.relock.addLock(lock());
    const store = h.relock.statusStore('front');
    const seen: string[] = [];
    store.subscribe(() => {
      throw new Error('UI crashed');
    });
    store.subscribe((snapshot) => seen.push(snapshot.context.status.lockState));
    h.relock.reportLockState('front', 'unlocked');
    await h.clock.advance(0);
    h.relock.reportLockState('front', 'locked');
    await h.clock.advance(0);
    expect(seen).toContain('locked');
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'host.error', source: 'statusStore' }));
    expect(h.relock.status('front').lockState).toBe('locked');
  });

  it('(10.12) an inspect observer that throws makes no API call throw', async () => {
    const events: RelockEvent[] = [];
    const relock = await createRelock({
      clock: new ManualClock(),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      driver: { lock: async () => {} },
      inspect: () => {
        throw new Error('inspector down');
      },
    });
    relock.subscribe((event) => events.push(event));
    await relock.addLock({ id: 'front', name: 'Front' });
    expect(() => relock.reportLockState('front', 'unlocked')).not.toThrow();
    await expect(relock.stop()).resolves.toBeUndefined();
    expect(events).toContainEqual(expect.objectContaining({ type: 'host.error', source: 'inspect' }));
  });
});

describe('found by a hostile review', () => {
  it('(10.1) locked then unlocked while a fire is in flight starts a new cycle: the autolock is not lost', async () => {
    const h = await bench({ actionTimeoutMs: 60_000 });
    const release = slowCommands(h);
    await h.relock.addLock(lock());
    h.relock.reportLockState('front', 'unlocked');
    await h.clock.advance(5 * MINUTE); // fire: command in flight
    h.relock.reportLockState('front', 'locked');
    await h.clock.advance(0);
    h.relock.reportLockState('front', 'unlocked'); // a new cycle
    await h.clock.advance(0);
    release.shift()?.();
    await h.clock.advance(0);
    expect(h.relock.status('front')).toMatchObject({ running: true, durationSeconds: 300 });
    h.driver.fallback = 'ok';
    await h.clock.advance(5 * MINUTE);
    expect(h.driver.commands).toHaveLength(2);
  });

  it('(10.1) a start by hand during an in-flight fire keeps its own duration', async () => {
    const h = await bench({ actionTimeoutMs: 60_000 });
    const release = slowCommands(h);
    await h.relock.addLock(lock());
    h.relock.reportLockState('front', 'unlocked');
    await h.clock.advance(5 * MINUTE);
    const started = h.relock.startAutolock('front', 5);
    release.shift()?.();
    await h.clock.advance(0);
    await started;
    expect(h.relock.status('front')).toMatchObject({ running: true, durationSeconds: 5 });
  });

  it('(10.18) a start by hand while a door-close retry is pending keeps the event grammar', async () => {
    const h = await bench();
    const grammar = new EventGrammar();
    const wrong: string[] = [];
    h.relock.subscribe((event) => {
      const why = grammar.accept(event);
      if (why !== undefined) wrong.push(why);
    });
    await h.relock.addLock(lock());
    h.relock.reportLockState('front', 'unlocked');
    h.relock.reportDoorState('front', 'open');
    await h.clock.advance(5 * MINUTE);
    await h.relock.startAutolock('front', 10);
    await h.clock.advance(40_000);
    expect(h.events.filter((e) => e.type === 'autolock.retry-pending')).toHaveLength(2);
    expect(wrong).toEqual([]);
  });

  it("(10.23) reloads during a retry's command in flight do not extend its timeout", async () => {
    const h = await bench({ actionTimeoutMs: 30_000 });
    await h.relock.addLock(lock());
    h.relock.reportLockState('front', 'unlocked');
    h.relock.reportDoorState('front', 'open');
    await h.clock.advance(5 * MINUTE);
    h.driver.fallback = 'hang'; // answers only when aborted
    h.relock.reportDoorState('front', 'closed');
    await h.clock.advance(0);
    for (let i = 0; i < 3; i++) {
      await h.relock.updateLock(lock());
      await h.clock.advance(9_000);
    }
    expect(h.events.filter((e) => e.type === 'autolock.failed')).toEqual([]); // 27 s after it was sent
    await h.clock.advance(4_000); // 31 s
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'autolock.failed', lockId: 'front' }));
    expect(h.driver.commands).toHaveLength(1);
  });

  it('(10.4) re-adding after a failed removal removes what was left, never fires it, and status says so', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(0);
    first.map.failKeys.set('keyv:timer:front', 3);
    await first.relock.removeLock('front').catch(() => {});
    await first.relock.addLock(lock({ autolock: { enabled: false } }));
    await first.clock.advance(10_000);
    expect(first.relock.status('front').timerState).toBe('DONE');
    expect(await first.stored('timer:front')).toBeUndefined();
    await first.relock.stop();

    const second = await bench({ clock: first.clock, map: first.map });
    await second.relock.addLock(lock({ autolock: { enabled: false } }));
    await second.clock.advance(30 * MINUTE);
    expect([...first.driver.commands, ...second.driver.commands]).toEqual([]);
  });

  it('(10.12) a clock whose setTimeout throws, or whose now() is in nanoseconds, loses no autolock', async () => {
    const clock = new ManualClock();
    let throwNext = 0;
    let nanoseconds = 0;
    const hostClock = {
      now: () => (nanoseconds-- > 0 ? clock.now() * 1e6 : clock.now()),
      setTimeout: (fn: () => void, ms: number) => {
        if (throwNext-- > 0) throw new Error('timer quota');
        return clock.setTimeout(fn, ms);
      },
      clearTimeout: (handle: unknown) => clock.clearTimeout(handle),
    };
    const { relock, events, commands } = await onHostClock(hostClock);
    try {
      nanoseconds = 5;
      await relock.startAutolock('front', 60);
      expect(relock.status('front')).toMatchObject({ timerState: 'ACTIVE', running: true });
      await clock.advance(MINUTE);
      expect(commands).toEqual(['front']);
      throwNext = 1;
      await relock.startAutolock('front', 1);
      expect(events).toContainEqual(expect.objectContaining({ type: 'host.error', source: 'clock' }));
      expect(relock.status('front').timerState).toBe('ACTIVE');
    } finally {
      await relock.stop();
    }
  });
});
