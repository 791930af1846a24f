/**
 * Issue 11's autolock policies on a whole system in simulated time: retries with backoff (11.1),
 * confirmation by a `locked` report (11.2), jams (11.3), door-aware modes and the door-left-open
 * notice (11.4), the warning and extend (11.5), day and night turned off separately (11.6), and
 * a status that says where a lock is (11.7); each also across a restart where it can be cut.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NoCountdownError } from '../src/errors.js';
import { fixedHoursDaylight } from '../src/ports/daylight.js';
import { DOOR_OPEN, FAILED, JAMMED, lock, of, policyBench } from './support/policy-bench.js';
import { MINUTE } from './support/relock-harness.js';

const { bench, restart } = policyBench();
/** Every event carries its emission time (pinned in test/relock-conventions.test.ts). */
const ANY_TIME = expect.any(Number);

describe('(11.1) bounded retries with backoff for a failed fire', () => {
  it('(11.1) a failed command is retried after 30 s, 1 min, 2 min and 4 min; each attempt is an event; the last keeps the entry for replay', async () => {
    const { relock, clock, driver, notifier, events, stored } = await bench();
    await relock.addLock(lock());
    driver.fallback = 'throw';
    relock.reportLockState('front', 'unlocked');
    const start = clock.now();
    await clock.advance(10 * MINUTE);
    const times: number[] = [];
    driver.lock = (
      (original) =>
      async (...args: Parameters<typeof original>) => {
        times.push(clock.now() - start - 10 * MINUTE);
        return original(...args);
      }
    )(driver.lock);
    await clock.advance(8 * MINUTE);
    expect(driver.commands).toHaveLength(5);
    expect(times).toEqual([30_000, 90_000, 210_000, 450_000]);
    expect(of(events, 'autolock.attempt').map((e) => `${e.attempt}/${e.attempts}`)).toEqual([
      '1/5',
      '2/5',
      '3/5',
      '4/5',
      '5/5',
    ]);
    const failed = of(events, 'autolock.failed');
    expect(failed.map((e) => e.nextAttemptAt === null)).toEqual([false, false, false, false, true]);
    expect(failed.at(-1)).toMatchObject({ attempt: 5, attempts: 5, keptForReplay: true });
    const notices = notifier.notified.filter((n) => n.id === FAILED).map((n) => n.message);
    expect(notices[0]).toMatch(/attempt 1 of 5.*Trying again at \d\d:\d\d:\d\d UTC/);
    expect(notices.at(-1)).toMatch(/attempt 5 of 5.*last attempt.*after a restart/);
    expect(relock.status('front')).toMatchObject({ autolock: 'failed', timerState: 'ACTIVE', running: false });
    expect(await stored('timer:front')).toMatchObject({ v: 1, durationSeconds: 600 });
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toHaveLength(5);
  });

  it('(11.1) a locked report ends the retries at once', async () => {
    const { relock, clock, driver, events } = await bench();
    await relock.addLock(lock());
    driver.fallback = 'throw';
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    expect(relock.status('front').autolock).toBe('retrying');
    relock.reportLockState('front', 'locked');
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toHaveLength(1);
    expect(relock.status('front')).toMatchObject({ autolock: 'idle', running: false, timerState: 'DONE' });
    expect(events.at(-1)).toMatchObject({ type: 'autolock.cancelled' });
  });

  it('(11.1) a retry in progress when the process dies resumes at its time with its attempt number: no command at restart', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.driver.fallback = 'throw';
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(10 * MINUTE + 30_000); // attempts 1 and 2 failed; attempt 3 is due in 1 min
    await first.relock.flush();
    expect(first.driver.commands).toHaveLength(2);
    const due = first.relock.status('front').endsAt as number;
    await first.relock.stop();

    const second = await restart(first, lock());
    expect(second.driver.commands).toEqual([]);
    expect(second.relock.status('front')).toMatchObject({ autolock: 'retrying', attempt: 2, endsAt: due });
    expect(of(second.events, 'autolock.started')).toEqual([
      expect.objectContaining({ recovered: true, stage: 'retry', endsAt: due }),
    ]);
    await second.clock.advanceTo(due - 1_000);
    expect(second.driver.commands).toEqual([]);
    await second.clock.advanceTo(due);
    expect(second.driver.commands).toHaveLength(1);
    expect(of(second.events, 'autolock.attempt').map((e) => e.attempt)).toEqual([3]);
  });
});

describe('(11.2) confirmation of an accepted command', () => {
  it('(11.2) an accepted command waits for the locked report; it confirms the cycle and nothing more is sent', async () => {
    const { relock, clock, driver, events } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    expect(relock.status('front')).toMatchObject({ autolock: 'confirming', running: true });
    expect(of(events, 'autolock.fired')).toEqual([
      {
        type: 'autolock.fired',
        lockId: 'front',
        outcome: 'locked',
        attempt: 1,
        awaitingConfirmation: true,
        at: expect.any(Number),
      },
    ]);
    await clock.advance(20_000);
    relock.reportLockState('front', 'locked');
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toHaveLength(1);
    expect(of(events, 'autolock.confirmed')).toEqual([
      { type: 'autolock.confirmed', lockId: 'front', attempt: 1, at: ANY_TIME },
    ]);
    expect(relock.status('front')).toMatchObject({ autolock: 'idle', timerState: 'DONE' });
  });

  it('(11.2) an unconfirmed command is retried per the backoff, then notified as "did not report locked" and kept', async () => {
    const { relock, clock, driver, notifier, events } = await bench();
    await relock.addLock(lock({ maxAttempts: 2, confirmSeconds: 20 }));
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    await clock.advance(20_000); // no report: unconfirmed, retried 30 s later
    expect(relock.status('front').autolock).toBe('retrying');
    await clock.advance(30_000);
    expect(driver.commands).toHaveLength(2);
    await clock.advance(20_000);
    expect(of(events, 'autolock.failed').map((e) => [e.unconfirmed, e.keptForReplay])).toEqual([
      [true, false],
      [true, true],
    ]);
    expect(notifier.notified.filter((n) => n.id === FAILED).map((n) => n.title)).toEqual([
      'Front Door: autolock not confirmed',
      'Front Door: autolock not confirmed',
    ]);
    expect(notifier.notified.at(-1)?.message).toMatch(/did not report locked \(attempt 2 of 2\).*last attempt/);
    expect(relock.status('front')).toMatchObject({ autolock: 'failed', running: false });
  });

  it('(11.2) a host that cannot report lock state: an accepted command counts as done, no re-arm, no retry', async () => {
    const { relock, clock, driver, events } = await bench();
    await relock.addLock(lock({}, { reportsLockState: false }));
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    expect(of(events, 'autolock.fired')).toEqual([
      expect.objectContaining({ outcome: 'locked', awaitingConfirmation: false }),
    ]);
    await clock.advance(3 * 60 * MINUTE);
    expect(driver.commands).toHaveLength(1);
    expect(relock.status('front')).toMatchObject({ timerState: 'DONE', running: false });
  });

  it('(11.2) a confirmation in progress when the process dies is waited for again: no second command, the locked report confirms', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(10 * MINUTE + 5_000);
    await first.relock.flush();
    expect(first.driver.commands).toHaveLength(1);
    await first.relock.stop();

    const second = await restart(first, lock());
    expect(second.relock.status('front')).toMatchObject({ autolock: 'confirming', attempt: 1 });
    second.relock.reportLockState('front', 'locked');
    await second.clock.advance(10 * MINUTE);
    expect(second.driver.commands).toEqual([]);
    expect(of(second.events, 'autolock.confirmed')).toHaveLength(1);
  });

  it('(11.2) a confirmation wait that ran out while the process was down counts as unconfirmed: the retry waits its backoff', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(10 * MINUTE + 5_000);
    await first.relock.flush();
    await first.relock.stop();
    first.clock.stepWallClock(5 * MINUTE); // the process was down for five minutes

    const second = await restart(first, lock());
    expect(second.driver.commands).toEqual([]);
    expect(second.relock.status('front')).toMatchObject({ autolock: 'retrying', attempt: 1 });
    await second.clock.advance(29_000);
    expect(second.driver.commands).toEqual([]);
    await second.clock.advance(1_000);
    expect(second.driver.commands).toHaveLength(1);
  });
});

describe('(11.3) jams', () => {
  it('(11.3) a jammed lock gets no command at the deadline: held, notified once, shown in status and events', async () => {
    const { relock, clock, driver, notifier, events } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(MINUTE);
    relock.reportLockState('front', 'jammed');
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toEqual([]);
    expect(notifier.ids()).toEqual([JAMMED]);
    expect(notifier.notified[0]?.message).toMatch(/jammed.*no command/);
    expect(of(events, 'lock.jammed')).toEqual([{ type: 'lock.jammed', lockId: 'front', cleared: false, at: ANY_TIME }]);
    expect(of(events, 'autolock.held')).toEqual([
      { type: 'autolock.held', lockId: 'front', reason: 'jammed', at: ANY_TIME },
    ]);
    expect(relock.status('front')).toMatchObject({ lockState: 'jammed', autolock: 'jammed', timerState: 'ACTIVE' });
    expect(relock.status('front').summary).toMatch(/jammed/);
  });

  it('(11.3) a jam reported while a command awaits confirmation holds the autolock: no retry', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    relock.reportLockState('front', 'jammed'); // the bolt hit the frame
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toHaveLength(1);
    expect(relock.status('front').autolock).toBe('jammed');
  });

  it('(11.3) unlocked clears the jam and its notice and starts a new countdown; locked clears it and ends the cycle', async () => {
    const { relock, clock, driver, notifier, events } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    relock.reportLockState('front', 'jammed');
    await clock.advance(60 * MINUTE);
    relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    expect(notifier.dismissed).toEqual([JAMMED]);
    expect(of(events, 'lock.jammed').at(-1)).toEqual({
      type: 'lock.jammed',
      lockId: 'front',
      cleared: true,
      at: ANY_TIME,
    });
    expect(relock.status('front')).toMatchObject({ autolock: 'counting-down', remainingSeconds: 600 });
    await clock.advance(10 * MINUTE);
    expect(driver.commands).toHaveLength(1);

    relock.reportLockState('front', 'jammed');
    await clock.advance(MINUTE);
    relock.reportLockState('front', 'locked');
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toHaveLength(1);
    expect(relock.status('front')).toMatchObject({ autolock: 'idle', timerState: 'DONE' });
  });

  it('(11.3) a jam held when the process dies stays held after the restart: no command', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    first.relock.reportLockState('front', 'jammed');
    await first.clock.advance(11 * MINUTE);
    await first.relock.flush();
    await first.relock.stop();
    const second = await restart(first, lock());
    await second.clock.advance(60 * MINUTE);
    expect(second.driver.commands).toEqual([]);
    expect(second.relock.status('front')).toMatchObject({ lockState: 'jammed', autolock: 'jammed' });
  });
});

describe('(11.4) door-aware modes', () => {
  it('(11.4) countdown (the default) sends the command at the deadline with the door open, as upstream', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    relock.reportDoorState('front', 'open');
    await clock.advance(10 * MINUTE);
    expect(driver.commands).toHaveLength(1);
  });

  it('(11.4) never-while-open: at the deadline with the door open it waits, then locks as the door closes', async () => {
    const { relock, clock, driver, notifier } = await bench();
    await relock.addLock(lock({ doorMode: 'never-while-open' }));
    relock.reportLockState('front', 'unlocked');
    relock.reportDoorState('front', 'open');
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toEqual([]);
    expect(relock.status('front')).toMatchObject({ autolock: 'waiting-for-door', pendingRetry: true });
    expect(notifier.ids()).toEqual([DOOR_OPEN]);
    relock.reportDoorState('front', 'closed');
    await clock.advance(0);
    expect(driver.commands).toHaveLength(1);
  });

  it('(11.4) never-while-open: a retry that falls due while the door is open sends nothing and waits for the door', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock({ doorMode: 'never-while-open' }));
    driver.script('throw');
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    relock.reportDoorState('front', 'open');
    await clock.advance(5 * MINUTE);
    expect(driver.commands).toHaveLength(1);
    expect(relock.status('front').autolock).toBe('waiting-for-door');
    relock.reportDoorState('front', 'closed');
    await clock.advance(0);
    expect(driver.commands).toHaveLength(2);
  });

  it('(11.4) restart-on-close: closing the door restarts the countdown from its full duration', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock({ doorMode: 'restart-on-close' }));
    relock.reportLockState('front', 'unlocked');
    relock.reportDoorState('front', 'open');
    await clock.advance(8 * MINUTE);
    relock.reportDoorState('front', 'closed');
    await clock.advance(0);
    expect(relock.status('front')).toMatchObject({ autolock: 'counting-down', remainingSeconds: 600 });
    await clock.advance(9 * MINUTE);
    expect(driver.commands).toEqual([]);
    await clock.advance(MINUTE);
    expect(driver.commands).toHaveLength(1);
  });

  it('(11.4) after-close: the lock locks afterCloseSeconds after the door closes; a sooner end is kept', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock({ doorMode: 'after-close', afterCloseSeconds: 15 }));
    relock.reportLockState('front', 'unlocked');
    relock.reportDoorState('front', 'open');
    await clock.advance(MINUTE);
    relock.reportDoorState('front', 'closed');
    await clock.advance(14_000);
    expect(driver.commands).toEqual([]);
    await clock.advance(1_000);
    expect(driver.commands).toHaveLength(1);

    // a countdown that ends sooner than the after-close delay is not pushed back
    relock.reportLockState('front', 'locked');
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE - 5_000);
    relock.reportDoorState('front', 'open');
    relock.reportDoorState('front', 'closed');
    await clock.advance(5_000);
    expect(driver.commands).toHaveLength(2);
  });

  it('(11.4) after-close: the long countdown still covers a door that is never opened', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock({ doorMode: 'after-close', afterCloseSeconds: 15 }));
    relock.reportLockState('front', 'unlocked');
    relock.reportDoorState('front', 'closed');
    await clock.advance(10 * MINUTE);
    expect(driver.commands).toHaveLength(1);
  });

  it('(11.4) a door left open longer than doorOpenNoticeMinutes notifies door_open once; closing it dismisses the notice', async () => {
    const { relock, clock, notifier, events } = await bench();
    await relock.addLock(lock({ doorOpenNoticeMinutes: 3 }));
    relock.reportDoorState('front', 'open');
    await clock.advance(3 * MINUTE - 1_000);
    expect(notifier.ids()).toEqual([]);
    await clock.advance(1_000);
    expect(notifier.notified).toEqual([
      expect.objectContaining({ id: DOOR_OPEN, title: 'Front Door: door left open' }),
    ]);
    expect(of(events, 'door.left-open')).toEqual([
      { type: 'door.left-open', lockId: 'front', minutes: 3, at: ANY_TIME },
    ]);
    await clock.advance(30 * MINUTE);
    expect(notifier.ids()).toEqual([DOOR_OPEN]);
    relock.reportDoorState('front', 'closed');
    await clock.advance(0);
    expect(notifier.dismissed).toEqual([DOOR_OPEN]);
  });

  it('(11.4) a lock restarted with its door open still sends the door-left-open notice when the minutes are up', async () => {
    const first = await bench();
    await first.relock.addLock(lock({ doorOpenNoticeMinutes: 3 }));
    first.relock.reportDoorState('front', 'open');
    await first.clock.advance(MINUTE);
    await first.relock.stop();
    const second = await restart(first, lock({ doorOpenNoticeMinutes: 3 }));
    expect(second.relock.status('front').doorState).toBe('open');
    await second.clock.advance(3 * MINUTE - 1_000);
    expect(second.notifier.ids()).toEqual([]);
    await second.clock.advance(1_000);
    expect(second.notifier.ids()).toEqual([DOOR_OPEN]);
  });

  it('(11.4) a door mode on a lock without a door sensor is refused, naming the field and the value', async () => {
    const { relock } = await bench();
    await expect(relock.addLock(lock({ doorMode: 'after-close' }, { hasDoorSensor: false }))).rejects.toThrow(
      /config\.autolock\.doorMode: "after-close".*door sensor/,
    );
    await relock.addLock(lock({}, { hasDoorSensor: false }));
    expect(() => relock.setAutolock('front', { doorMode: 'never-while-open' })).toThrow(InvalidArgumentError);
    expect(() => relock.setAutolock('front', { doorMode: 'sometimes' as never })).toThrow(
      /settings\.doorMode: "sometimes"/,
    );
  });
});

describe('(11.5) pre-lock warning and extend', () => {
  it('(11.5) a warning event comes warnSeconds before the command; a notification only when opted in', async () => {
    const { relock, clock, notifier, events } = await bench();
    await relock.addLock(lock({ warnSeconds: 60 }));
    relock.reportLockState('front', 'unlocked');
    const endsAt = clock.now() + 10 * MINUTE;
    await clock.advance(9 * MINUTE - 1_000);
    expect(of(events, 'autolock.warning')).toEqual([]);
    await clock.advance(1_000);
    expect(of(events, 'autolock.warning')).toEqual([
      { type: 'autolock.warning', lockId: 'front', endsAt, at: ANY_TIME },
    ]);
    expect(notifier.ids()).toEqual([]);

    relock.setAutolock('front', { warnNotification: true });
    relock.reportLockState('front', 'locked');
    relock.reportLockState('front', 'unlocked');
    await clock.advance(9 * MINUTE);
    expect(notifier.notified.at(-1)).toMatchObject({
      id: 'front_door__front_autolock_warning',
      message: 'Front Door will be locked in 60 seconds.',
    });
  });

  it('(11.5) extendAutolock pushes the end later and is durable, with the old end armed until the new one is written', async () => {
    const { relock, clock, driver, map, stored } = await bench();
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(MINUTE);
    const endsAt = relock.status('front').endsAt as number;
    map.manual = true; // the store answers when the test says
    const extending = relock.extendAutolock('front', 300);
    await clock.advance(0);
    map.manual = false;
    expect(await stored('timer:front')).toMatchObject({ endsAt: new Date(endsAt).toISOString() });
    map.manual = true;
    expect(relock.status('front')).toMatchObject({ running: true, endsAt: endsAt + 300_000 });
    while (map.settleNext('set', false)) await clock.advance(0);
    map.manual = false;
    await extending;
    expect(await stored('timer:front')).toMatchObject({ endsAt: new Date(endsAt + 300_000).toISOString() });
    await clock.advanceTo(endsAt);
    expect(driver.commands).toEqual([]);
    await clock.advanceTo(endsAt + 300_000);
    expect(driver.commands).toHaveLength(1);
  });

  it('(11.5) an extension survives a restart', async () => {
    const first = await bench();
    await first.relock.addLock(lock());
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(0);
    const endsAt = first.relock.status('front').endsAt as number;
    await first.relock.extendAutolock('front', 120);
    await first.relock.stop();
    const second = await restart(first, lock());
    expect(second.relock.status('front').endsAt).toBe(endsAt + 120_000);
  });

  it('(11.5) extending with no countdown running is refused with NoCountdownError; bad seconds with InvalidArgumentError', async () => {
    const { relock, clock } = await bench();
    await relock.addLock(lock());
    await expect(relock.extendAutolock('front', 60)).rejects.toThrow(NoCountdownError);
    await expect(relock.extendAutolock('front', 60)).rejects.toThrow(/No autolock countdown runs for lock "front"/);
    relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    await expect(relock.extendAutolock('front', 0)).rejects.toThrow(/Invalid seconds: 0/);
    await expect(relock.extendAutolock('front', 1.5)).rejects.toThrow(InvalidArgumentError);
  });
});

describe('(11.6) day and night', () => {
  it('(11.6) nightEnabled: false starts no autolock for an unlock at night; by day it runs', async () => {
    const { relock, clock, daylight, driver } = await bench();
    await relock.addLock(lock({ nightEnabled: false }));
    daylight.isDay = false;
    relock.reportLockState('front', 'unlocked');
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toEqual([]);
    expect(relock.status('front')).toMatchObject({ autolock: 'idle', running: false });
    relock.reportLockState('front', 'locked');
    daylight.isDay = true;
    relock.reportLockState('front', 'unlocked');
    await clock.advance(10 * MINUTE);
    expect(driver.commands).toHaveLength(1);
  });

  it('(11.6) dayEnabled: false leaves only the night autolock', async () => {
    const { relock, clock, daylight, driver } = await bench();
    await relock.addLock(lock({ dayEnabled: false }));
    relock.reportLockState('front', 'unlocked');
    await clock.advance(60 * MINUTE);
    expect(driver.commands).toEqual([]);
    relock.reportLockState('front', 'locked');
    daylight.isDay = false;
    relock.reportLockState('front', 'unlocked');
    await clock.advance(2 * MINUTE);
    expect(driver.commands).toHaveLength(1);
  });

  it('(11.6) night by fixed local hours picks the night minutes inside the hours', async () => {
    const clockStart = Date.UTC(2026, 0, 15, 22, 30); // 23:30 in Berlin
    const { ManualClock } = await import('../src/clock/manual-clock.js');
    const { relock, clock } = await bench({
      clock: new ManualClock(clockStart),
      daylightSource: fixedHoursDaylight({ nightStart: '22:00', nightEnd: '06:30', timeZone: 'Europe/Berlin' }),
    });
    await relock.addLock(lock());
    relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    expect(relock.status('front').durationSeconds).toBe(2 * 60);
  });
});

describe('(11.7) status tells the truth', () => {
  it('(11.7) status walks through counting down, locking, retrying, confirming and idle, each with plain words', async () => {
    const { relock, clock, driver } = await bench();
    await relock.addLock(lock({ confirmSeconds: 20 }));
    expect(relock.status('front')).toMatchObject({ autolock: 'idle', attempts: 5 });
    let finish!: (error?: Error) => void;
    driver.script(() => new Promise<void>((resolve, reject) => (finish = (e) => (e ? reject(e) : resolve()))), 'ok');
    relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    const seen = [relock.status('front')];
    await clock.advance(10 * MINUTE);
    seen.push(relock.status('front'));
    finish(new Error('radio error'));
    await clock.advance(0);
    const failedAt = clock.now();
    seen.push(relock.status('front'));
    await clock.advance(30_000);
    seen.push(relock.status('front'));
    relock.reportLockState('front', 'locked');
    await clock.advance(0);
    seen.push(relock.status('front'));
    expect(seen.map((s) => [s.autolock, s.attempt])).toEqual([
      ['counting-down', 0],
      ['locking', 1],
      ['retrying', 1],
      ['confirming', 2],
      ['idle', 0],
    ]);
    expect(seen[2]?.endsAt).toBe(failedAt + 30_000); // retrying: endsAt is the next attempt
    for (const status of seen) expect(status.summary).toMatch(/^[A-Z].*\.$/);
    expect(seen[3]?.summary).toBe(
      `Lock command accepted (attempt 2 of 5); waiting until ${new Date(seen[3]?.endsAt ?? 0).toISOString().slice(11, 19)} UTC for the lock to report locked.`,
    );
  });

  it('(11.7) a status store is not refreshed just because time passes: a UI counts down from endsAt', async () => {
    const { relock, clock } = await bench();
    await relock.addLock(lock());
    const store = relock.statusStore('front');
    let updates = 0;
    store.subscribe(() => updates++);
    relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    const after = updates;
    await clock.advance(5 * MINUTE);
    expect(updates).toBe(after);
    expect(store.getSnapshot().context.status.endsAt).toBe(relock.status('front').endsAt);
    expect(relock.status('front').remainingSeconds).toBe(300);
  });
});
