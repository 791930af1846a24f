import { describe, expect, it } from 'vitest';
import { createRelock } from '../src/relock.js';
import { relockHarness } from './support/relock-harness.js';

describe('storeTimeoutMs', () => {
  it('(10.8) storeTimeoutMs must be a positive integer number of milliseconds', async () => {
    const driver = { lock: async () => {} };
    await expect(createRelock({ driver, storeTimeoutMs: 0 })).rejects.toThrow(/Invalid storeTimeoutMs: 0/);
    await expect(createRelock({ driver, storeTimeoutMs: 1.5 })).rejects.toThrow(/storeTimeoutMs/);
  });

  it('(10.8) a start whose store write never returns rejects after the default 10 s, and stop() resolves', async () => {
    const h = await relockHarness();
    await h.relock.addLock({ id: 'front', name: 'Front' });
    h.map.holdNext('set'); // never released
    const start = h.relock.startAutolock('front', 300);
    start.catch(() => {});
    await h.clock.advance(10_000);
    await expect(start).rejects.toMatchObject({ code: 'STORE_ERROR', key: 'timer:front' });
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'store.error', key: 'timer:front' }));
    const stop = h.relock.stop();
    await h.clock.advance(10_000);
    await stop;
  });
});
