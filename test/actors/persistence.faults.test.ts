/**
 * Store faults seen through a timer: what the persistence layer answers when the store says no,
 * holds a value it cannot decode, holds a newer format, or never answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { relockHarness } from '../support/relock-harness.js';
import { timerHarness } from '../support/timer-harness.js';

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

describe('a store that says no', () => {
  it('(10.3) a store whose set resolves false is a failed write, retried until durable', async () => {
    const h = await bench();
    h.locks.set('front', { name: 'v1' });
    const timer = h.newTimer('front');
    await timer.recover();
    h.map.refuseNext('set');
    await expect(timer.start(300)).rejects.toMatchObject({ code: 'STORE_ERROR', operation: 'write' });
    expect(timer.status().state).toBe('ARMING');
    expect(await h.stored('front')).toBeUndefined();
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'store.error', key: 'timer:front' }));
    await h.clock.advance(MINUTE);
    expect(timer.status().state).toBe('ACTIVE');
    expect(await h.stored('front')).toMatchObject({ v: 1, durationSeconds: 300 });
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'autolock.started', lockId: 'front' }));
  });
});

describe('unparsable values', () => {
  it('(10.6) {not json under lock:<id> no longer makes addLock reject: the record is pruned and the lock added', async () => {
    const h = await relockHarness();
    try {
      h.map.seed('keyv:lock:front', '{not json');
      const status = await h.relock.addLock({ id: 'front', name: 'Front' });
      expect(status.lockState).toBeDefined();
      expect(h.events).toContainEqual(expect.objectContaining({ type: 'store.pruned', key: 'lock:front' }));
      await h.relock.flush();
      expect(await h.stored('lock:front')).toMatchObject({ v: 1 });
    } finally {
      await h.relock.stop();
    }
  });
});

describe('store calls that never return', () => {
  const TIMEOUT = 10_000;

  it("(10.8) a set that never returns for one lock's entry does not hold up another lock's start or flush; it is retried like a failure", async () => {
    const h = await bench({ storeTimeoutMs: TIMEOUT });
    const front = h.newTimer('front');
    const back = h.newTimer('back');
    await Promise.all([front.recover(), back.recover()]);
    const release = h.map.holdNext('set');
    const hung = front.start(300);
    hung.catch(() => {});
    await h.clock.advance(0);
    const other = back.start(300);
    const flushed = h.persistence.flush();
    await h.clock.advance(TIMEOUT);
    await expect(hung).rejects.toMatchObject({ code: 'STORE_ERROR', key: 'timer:front' });
    await other;
    await flushed;
    expect(back.status().state).toBe('ACTIVE');
    expect(front.status().state).toBe('ARMING');
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'store.error', key: 'timer:front' }));
    // the hung call answers at last; the timer's retry then makes its entry durable
    release();
    await h.clock.advance(MINUTE);
    expect(front.status().state).toBe('ACTIVE');
    expect(await h.stored('front')).toMatchObject({ v: 1, durationSeconds: 300 });
  });

  it('(10.8) a get that never returns fails the read after the timeout, and the timer retries it', async () => {
    const h = await bench({ storeTimeoutMs: TIMEOUT });
    const endsAt = h.clock.now() + 5 * MINUTE;
    await h.store.set('timer:front', { v: 1, endsAt: new Date(endsAt).toISOString(), durationSeconds: 300 });
    h.map.holdNext('get'); // never released
    const timer = h.newTimer('front');
    const recovered = timer.recover();
    await h.clock.advance(TIMEOUT + MINUTE);
    await recovered;
    expect(timer.status()).toMatchObject({ state: 'ACTIVE', endsAt });
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'store.error', key: 'timer:front', operation: 'read' }),
    );
  });

  it('(10.8) stop() resolves while a store set never returns', async () => {
    const h = await relockHarness();
    await h.relock.addLock({ id: 'front', name: 'Front', autolock: { enabled: true, dayMinutes: 5 } });
    h.map.holdNext('set'); // never released
    h.relock.reportLockState('front', 'unlocked');
    await h.clock.advance(0);
    let stopped = false;
    const stop = h.relock.stop().then(() => {
      stopped = true;
    });
    await h.clock.advance(TIMEOUT);
    await stop;
    expect(stopped).toBe(true);
  });
});
