import { afterEach, describe, expect, it } from 'vitest';
import { TimerNotRecoveredError } from '../../src/errors.js';
import type { FireOutcome } from '../../src/events.js';
import { encodeTimerEntry } from '../../src/persistence/timer-codec.js';
import { createTimerEntry } from '../../src/persistence/timer-entry.js';
import { deferred, timerHarness } from '../support/timer-harness.js';

type Harness = Awaited<ReturnType<typeof timerHarness>>;
let harness: Harness | undefined;
const bench = async (options?: Parameters<typeof timerHarness>[0]) => {
  harness = await timerHarness(options);
  return harness;
};
afterEach(() => {
  harness?.stop();
  harness = undefined;
});

const MINUTE = 60_000;

describe('autolock timer', () => {
  it('T1 a new timer is FRESH, not running, with no end time', async () => {
    const h = await bench();
    const status = h.newTimer('front').status();
    expect(status.state).toBe('FRESH');
    expect(status.running).toBe(false);
    expect(status.endsAt).toBeNull();
    expect(status.durationSeconds).toBeNull();
  });

  it('T2 start before recovery is refused with an error that names recovery', async () => {
    const h = await bench();
    const timer = h.newTimer('front');
    await expect(timer.start(60)).rejects.toThrow(TimerNotRecoveredError);
    await expect(timer.start(60)).rejects.toThrow(/recover/);
    expect(await h.stored('front')).toBeUndefined();
  });

  it('T3 recovery with no stored entry ends DONE and never fires', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'v1' });
    const timer = h.newTimer('front');
    await timer.recover();
    await h.clock.advance(365 * 24 * 60 * MINUTE);
    expect(timer.status()).toMatchObject({ state: 'DONE', running: false, endsAt: null });
    expect(h.commands).toEqual([]);
  });

  it('T4 recovery of a future entry is ACTIVE and running and fires at its end time, not before', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'v1' });
    const endsAt = h.clock.now() + 10 * MINUTE;
    await h.store.set('timer:front', encodeTimerEntry(createTimerEntry({ endsAt, durationSeconds: 900 })));
    const timer = h.newTimer('front');
    await timer.recover();
    expect(timer.status()).toMatchObject({ state: 'ACTIVE', running: true, endsAt, durationSeconds: 900 });
    await h.clock.advance(10 * MINUTE - 1);
    expect(h.commands).toEqual([]);
    await h.clock.advance(1);
    expect(h.commands).toEqual(['front@v1']);
    expect(timer.status().state).toBe('DONE');
  });

  it('T5 recovery of an expired entry fires at once; on success the timer is DONE and the entry gone', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'v1' });
    await h.store.set(
      'timer:front',
      encodeTimerEntry(createTimerEntry({ endsAt: h.clock.now() - MINUTE, durationSeconds: 60 })),
    );
    const timer = h.newTimer('front');
    await timer.recover();
    await h.clock.advance(0);
    expect(h.commands).toEqual(['front@v1']);
    expect(timer.status()).toMatchObject({ state: 'DONE', running: false });
    expect(await h.stored('front')).toBeUndefined();
  });

  it('T6 start persists the entry before it resolves, then fires after the duration', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'v1' });
    const timer = h.newTimer('front');
    await timer.recover();
    const release = h.map.holdNext('set');
    let resolved = false;
    const started = timer.start(120).then(() => {
      resolved = true;
    });
    await h.clock.advance(0);
    expect(resolved).toBe(false);
    expect(timer.status().state).toBe('ARMING');
    release();
    await started;
    expect(timer.status()).toMatchObject({ state: 'ACTIVE', running: true, durationSeconds: 120 });
    expect(await h.stored('front')).toMatchObject({ durationSeconds: 120 });
    await h.clock.advance(2 * MINUTE - 1);
    expect(h.commands).toEqual([]);
    await h.clock.advance(1);
    expect(h.commands).toEqual(['front@v1']);
  });

  it('T7 start while ACTIVE re-arms with a new end time and duration; the old schedule never fires', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'v1' });
    const timer = h.newTimer('front');
    await timer.recover();
    await timer.start(60);
    await h.clock.advance(30_000);
    await timer.start(300);
    const endsAt = h.clock.now() + 300_000;
    expect(timer.status()).toMatchObject({ state: 'ACTIVE', endsAt, durationSeconds: 300 });
    expect(await h.stored('front')).toMatchObject({ durationSeconds: 300, endsAt: new Date(endsAt).toISOString() });
    await h.clock.advance(300_000 - 1);
    expect(h.commands).toEqual([]);
    await h.clock.advance(1);
    expect(h.commands).toEqual(['front@v1']);
  });

  it('T8 cancel clears the state and the stored entry and never fires; a second cancel is harmless', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'v1' });
    const timer = h.newTimer('front');
    await timer.recover();
    await timer.start(60);
    await timer.cancel();
    expect(timer.status()).toMatchObject({ state: 'DONE', running: false, endsAt: null });
    expect(await h.stored('front')).toBeUndefined();
    await timer.cancel();
    await h.clock.advance(10 * MINUTE);
    expect(h.commands).toEqual([]);
    expect(h.events.filter((e) => e.type === 'autolock.cancelled')).toHaveLength(1);
  });

  it('T9 a fire resolves the live lock at fire time, never the one it was started with', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'old' });
    const timer = h.newTimer('front');
    await timer.recover();
    await timer.start(60);
    h.locks.set('front', { name: 'new' });
    await h.clock.advance(MINUTE);
    expect(h.commands).toEqual(['front@new']);
  });

  it('T10 cancel during an in-flight fire resolves only after that fire finished; nothing fires after', async () => {
    const h = await bench();
    const action = deferred<FireOutcome>();
    h.locks.set('front', { name: 'v1', act: () => action.promise });
    const timer = h.newTimer('front');
    await timer.recover();
    await timer.start(60);
    await h.clock.advance(MINUTE);
    expect(timer.status().phase).toBe('firing');
    let cancelled = false;
    const cancel = timer.cancel().then(() => {
      cancelled = true;
    });
    await h.clock.advance(1_000);
    expect(cancelled).toBe(false);
    action.resolve('locked');
    await cancel;
    expect(timer.status()).toMatchObject({ state: 'DONE', running: false });
    expect(await h.stored('front')).toBeUndefined();
    await h.clock.advance(60 * MINUTE);
    expect(h.commands).toEqual(['front@v1']);
  });

  it('T11 a fire whose entry was cleared by a cancel that won the race does nothing', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'v1' });
    const timer = h.newTimer('front');
    await timer.recover();
    await timer.start(60);
    await h.clock.advance(MINUTE - 1);
    const release = h.map.holdNext('delete');
    const cancel = timer.cancel();
    // the deadline passes while the removal is still in flight
    await h.clock.advance(10);
    expect(h.commands).toEqual([]);
    release();
    await cancel;
    await h.clock.advance(MINUTE);
    expect(h.commands).toEqual([]);
    expect(await h.stored('front')).toBeUndefined();
  });

  it('T12 a failing action keeps the entry for replay; ACTIVE but not running; a later start re-arms', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'v1', act: async () => Promise.reject(new Error('jammed')) });
    const timer = h.newTimer('front');
    await timer.recover();
    await timer.start(60);
    await h.clock.advance(MINUTE);
    expect(timer.status()).toMatchObject({ state: 'ACTIVE', running: false, phase: 'failed' });
    expect(await h.stored('front')).toMatchObject({ durationSeconds: 60 });
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'autolock.failed', lockId: 'front', reason: 'jammed', keptForReplay: true }),
    );
    h.locks.set('front', { name: 'v2' });
    await timer.start(30);
    expect(timer.status()).toMatchObject({ state: 'ACTIVE', running: true, durationSeconds: 30 });
    await h.clock.advance(30_000);
    expect(h.commands).toEqual(['front@v1', 'front@v2']);
    expect(timer.status().state).toBe('DONE');
  });

  it('T13 a failing recovery fire keeps the entry: ACTIVE, not running; start re-arms', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'v1', act: async () => Promise.reject(new Error('offline')) });
    await h.store.set(
      'timer:front',
      encodeTimerEntry(createTimerEntry({ endsAt: h.clock.now() - 5, durationSeconds: 60 })),
    );
    const timer = h.newTimer('front');
    await timer.recover();
    await h.clock.advance(0);
    expect(timer.status()).toMatchObject({ state: 'ACTIVE', running: false });
    expect(await h.stored('front')).toMatchObject({ durationSeconds: 60 });
    h.locks.set('front', { name: 'v2' });
    await timer.start(10);
    await h.clock.advance(10_000);
    expect(h.commands).toEqual(['front@v1', 'front@v2']);
    expect(await h.stored('front')).toBeUndefined();
  });

  it('T14 a lock that no longer exists at fire time is terminal: DONE, entry removed, no action', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'v1' });
    const timer = h.newTimer('front');
    await timer.recover();
    await timer.start(60);
    h.locks.delete('front');
    await h.clock.advance(MINUTE);
    expect(h.commands).toEqual([]);
    expect(timer.status()).toMatchObject({ state: 'DONE', running: false });
    expect(await h.stored('front')).toBeUndefined();
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'autolock.fired', lockId: 'front', outcome: 'missing' }),
    );
  });

  it('T15 two timers starting at once on one store both end up persisted', async () => {
    const h = await bench();
    const a = h.newTimer('a');
    const b = h.newTimer('b');
    await Promise.all([a.recover(), b.recover()]);
    await Promise.all([a.start(60), b.start(90)]);
    expect(await h.stored('a')).toMatchObject({ durationSeconds: 60 });
    expect(await h.stored('b')).toMatchObject({ durationSeconds: 90 });
  });

  it('T17 a store failure while removing the entry after a successful fire does not undo the lock', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'v1' });
    const timer = h.newTimer('front');
    await timer.recover();
    await timer.start(60);
    h.map.failNext('delete');
    await h.clock.advance(MINUTE);
    expect(h.commands).toEqual(['front@v1']);
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'store.error', key: 'timer:front', operation: 'remove' }),
    );
    // (10.2) the removal is retried until durable: status never says DONE while the entry is on disk
    expect(timer.status()).toMatchObject({ state: 'ACTIVE', running: false });
    expect(await h.stored('front')).toBeDefined();
    await h.clock.advance(1_000);
    expect(timer.status()).toMatchObject({ state: 'DONE', running: false });
    expect(await h.stored('front')).toBeUndefined();
    expect(h.commands).toEqual(['front@v1']);
  });

  it('T18 a 40-day duration fires at 40 days, not at once', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'v1' });
    const timer = h.newTimer('front');
    await timer.recover();
    const fortyDays = 40 * 24 * 3600;
    await timer.start(fortyDays);
    await h.clock.advance(1_000);
    expect(h.commands).toEqual([]);
    await h.clock.advance(fortyDays * 1000 - 1_001);
    expect(h.commands).toEqual([]);
    await h.clock.advance(1);
    expect(h.commands).toEqual(['front@v1']);
  });

  it('T19 a hanging action times out, counts as a failure, and is reported', async () => {
    const h = await bench({ actionTimeoutMs: 5_000 });
    let aborted = false;
    h.locks.set('front', {
      name: 'v1',
      act: ({ signal }) =>
        new Promise<FireOutcome>(() => {
          signal.addEventListener('abort', () => {
            aborted = true;
          });
        }),
    });
    const timer = h.newTimer('front');
    await timer.recover();
    await timer.start(60);
    await h.clock.advance(MINUTE + 4_999);
    expect(timer.status().phase).toBe('firing');
    await h.clock.advance(1);
    expect(timer.status()).toMatchObject({ state: 'ACTIVE', running: false, phase: 'failed' });
    expect(aborted).toBe(true);
    expect(await h.stored('front')).toMatchObject({ durationSeconds: 60 });
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'autolock.failed', lockId: 'front', reason: 'the lock action timed out' }),
    );
  });

  it('T22 a store failing during recovery is reported and the read retried; a failed read is never "no entry"', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'v1' });
    await h.store.set(
      'timer:front',
      encodeTimerEntry(createTimerEntry({ endsAt: h.clock.now() + MINUTE, durationSeconds: 60 })),
    );
    h.map.failNext('get', 2);
    const timer = h.newTimer('front');
    const recovered = timer.recover();
    await h.clock.advance(0);
    expect(timer.status().state).toBe('FRESH');
    expect(h.events.filter((e) => e.type === 'store.error' && e.operation === 'read')).toHaveLength(1);
    await h.clock.advance(1_000);
    expect(h.events.filter((e) => e.type === 'store.error' && e.operation === 'read')).toHaveLength(2);
    await h.clock.advance(2_000);
    await recovered;
    expect(timer.status()).toMatchObject({ state: 'ACTIVE', running: true, durationSeconds: 60 });
    await h.clock.advance(MINUTE);
    expect(h.commands).toEqual(['front@v1']);
  });

  it('a start whose write fails is rejected with the store error, keeps counting down and retries the write', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'v1' });
    const timer = h.newTimer('front');
    await timer.recover();
    h.map.failNext('set');
    await expect(timer.start(60)).rejects.toThrow(/Store write of "timer:front" failed/);
    expect(timer.status()).toMatchObject({ state: 'ARMING', running: true });
    await h.clock.advance(1_000);
    expect(timer.status().state).toBe('ACTIVE');
    expect(await h.stored('front')).toMatchObject({ durationSeconds: 60 });
    await h.clock.advance(MINUTE);
    expect(h.commands).toEqual(['front@v1']);
  });

  it('a start asked during an in-flight fire is held and arms once the fire ends', async () => {
    const h = await bench();
    const action = deferred<FireOutcome>();
    h.locks.set('front', { name: 'v1', act: () => action.promise });
    const timer = h.newTimer('front');
    await timer.recover();
    await timer.start(60);
    await h.clock.advance(MINUTE);
    const restarted = timer.start(120);
    action.resolve('locked');
    await restarted;
    expect(timer.status()).toMatchObject({ state: 'ACTIVE', durationSeconds: 120 });
    expect(await h.stored('front')).toMatchObject({ durationSeconds: 120 });
  });

  it('an invalid duration is refused with an error naming the field', async () => {
    const h = await bench();
    const timer = h.newTimer('front');
    await timer.recover();
    await expect(timer.start(-1)).rejects.toThrow(/durationSeconds: -1/);
    await expect(timer.start(1.5)).rejects.toThrow(/durationSeconds/);
  });
});
