import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, LockExistsError } from '../src/errors.js';
import { type RelockHarness, relockHarness } from './support/relock-harness.js';

let h: RelockHarness | undefined;
afterEach(async () => {
  await h?.relock.stop();
  h = undefined;
});

describe('(10.17) the API refuses what it cannot honour', () => {
  it('(10.17) setAutolock with an unknown key is refused and changes nothing', async () => {
    h = await relockHarness();
    await h.relock.addLock({ id: 'front', name: 'Front', autolock: { enabled: false, dayMinutes: 7 } });
    expect(() => h?.relock.setAutolock('front', { enabled: true, bogus: 1 } as never)).toThrow(InvalidArgumentError);
    expect(() => h?.relock.setAutolock('front', { bogus: 1 } as never)).toThrow(/settings\.bogus/);
    await h.clock.advance(0);
    expect(h.relock.status('front').autolockEnabled).toBe(false);
  });

  it('(10.17) addLocks with an id repeated in the call says so, registers none, and is not LockExistsError', async () => {
    h = await relockHarness();
    const attempt = h.relock.addLocks([
      { id: 'a', name: 'A' },
      { id: 'b', name: 'B' },
      { id: 'a', name: 'A2' },
    ]);
    await expect(attempt).rejects.toThrow(InvalidArgumentError);
    await expect(attempt).rejects.toThrow(
      /configs\[2\]\.id: "a" \(expected an id not repeated in one call; configs\[0\]\.id is "a" too\)/,
    );
    await expect(attempt).rejects.not.toBeInstanceOf(LockExistsError);
    expect(h.relock.lockIds()).toEqual([]);
    await h.relock.addLock({ id: 'a', name: 'A' });
    await expect(h.relock.addLocks([{ id: 'a', name: 'A' }])).rejects.toBeInstanceOf(LockExistsError);
  });
});
