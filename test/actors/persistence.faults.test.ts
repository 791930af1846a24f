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
