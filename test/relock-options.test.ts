import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock/manual-clock.js';
import { InvalidArgumentError, LockExistsError, LockNotFoundError, SystemStoppedError } from '../src/errors.js';
import { createRelock, type RelockOptions } from '../src/relock.js';

const driver = { lock: async () => {} };

describe('public API arguments', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['no options', null, /Invalid options: null/],
    ['no driver', {}, /Invalid driver: undefined/],
    ['a logger without debug', { driver, logger: { info() {}, warn() {}, error() {} } }, /Invalid logger/],
    ['an inspect that is a number', { driver, inspect: 5 }, /Invalid inspect: 5/],
    ['daylight that is a string', { driver, daylight: 'sunny' }, /Invalid daylight: "sunny"/],
    ['a notifier without dismiss', { driver, notifier: { notify() {} } }, /Invalid notifier/],
    ['a clock without now', { driver, clock: { setTimeout() {}, clearTimeout() {} } }, /Invalid clock/],
    ['a zero action timeout', { driver, actionTimeoutMs: 0 }, /Invalid actionTimeoutMs: 0/],
    ['a store URL of an unknown kind', { driver, store: 'postgres://x' }, /Invalid store: "postgres:\/\/x"/],
    ['bad daylight coordinates', { driver, daylight: { latitude: 100, longitude: 0 } }, /daylight\.latitude: 100/],
  ];

  it.each(bad)('%s raises a typed error naming the field', async (_name, options, message) => {
    const attempt = createRelock(options as RelockOptions);
    await expect(attempt).rejects.toThrow(InvalidArgumentError);
    await expect(createRelock(options as RelockOptions)).rejects.toThrow(message);
  });

  it('bad calls raise typed errors; stop flushes and later calls are refused', async () => {
    const relock = await createRelock({ driver, clock: new ManualClock() });
    await relock.addLock({ id: 'front', name: 'Front' });
    await expect(relock.addLock({ id: 'front', name: 'Again' })).rejects.toThrow(LockExistsError);
    expect(() => relock.reportLockState('back', 'locked')).toThrow(LockNotFoundError);
    expect(() => relock.reportLockState('front', 'open' as never)).toThrow(/Invalid state: "open"/);
    expect(() => relock.reportDoorState('front', 'ajar' as never)).toThrow(/Invalid state: "ajar"/);
    expect(() => relock.subscribe('nope' as never)).toThrow(/Invalid listener/);
    await expect(relock.addLocks('x' as never)).rejects.toThrow(/Invalid configs/);
    expect(() => relock.status('no such lock!')).toThrow(/Invalid lockId/);
    expect(() => relock.setAutolock('front', { dayMinutes: 1.5 })).toThrow(/settings\.dayMinutes: 1\.5/);
    await expect(relock.startAutolock('front', -5)).rejects.toThrow(/durationSeconds: -5/);
    await expect(
      relock.addLocks([
        { id: 'x', name: 'X' },
        { id: 'x', name: 'Y' },
      ]),
    ).rejects.toThrow(/configs\[1\]\.id: "x" \(expected an id not repeated in one call/);
    await expect(relock.addLocks([{ id: 'front', name: 'Again' }])).rejects.toThrow(LockExistsError);
    expect(relock.lockIds()).toEqual(['front']);
    await relock.stop();
    await expect(relock.addLock({ id: 'late', name: 'Late' })).rejects.toThrow(SystemStoppedError);
    expect(() => relock.status('front')).toThrow(SystemStoppedError);
  });

  it('daylight given as coordinates picks the night minutes at night', async () => {
    const relock = await createRelock({
      driver,
      clock: new ManualClock(Date.UTC(2026, 0, 1, 23, 0)),
      daylight: { latitude: 52.37, longitude: 4.89 },
    });
    await relock.addLock({ id: 'front', name: 'Front', autolock: { enabled: true, dayMinutes: 30, nightMinutes: 3 } });
    relock.reportLockState('front', 'unlocked');
    await relock.flush();
    expect(relock.status('front').durationSeconds).toBe(180);
    await relock.stop();
  });

  it('stop does not wait for a lock command that hangs; the entry stays for replay', async () => {
    const { default: Keyv } = await import('keyv');
    const store = new Keyv({ store: new Map() });
    const clock = new ManualClock();
    const hanging = { lock: () => new Promise<void>(() => {}) };
    const relock = await createRelock({ driver: hanging, store, clock });
    await relock.addLock({ id: 'front', name: 'Front', autolock: { enabled: true, dayMinutes: 1 } });
    relock.reportLockState('front', 'unlocked');
    await clock.advance(60_000);
    expect(relock.status('front').running).toBe(true);
    await relock.stop();
    expect(await store.get('timer:front')).toMatchObject({ durationSeconds: 60 });
    expect(relock.actor.getSnapshot().status).toBe('done');
  });

  it('stop makes every pending write durable before it resolves', async () => {
    const { default: Keyv } = await import('keyv');
    const map = new Map<string, unknown>();
    const store = new Keyv({ store: map });
    const relock = await createRelock({ driver, store, clock: new ManualClock() });
    await relock.addLock({ id: 'front', name: 'Front', autolock: { enabled: true } });
    relock.reportLockState('front', 'unlocked');
    await relock.stop();
    expect(await store.get('timer:front')).toMatchObject({ durationSeconds: 7200 });
    expect(await store.get('lock:front')).toMatchObject({ runtime: { lockState: 'unlocked' } });
  });
});
