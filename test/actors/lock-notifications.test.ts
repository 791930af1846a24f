import { afterEach, describe, expect, it } from 'vitest';
import { autolockNotificationId } from '../../src/model/slug.js';
import { MINUTE, type RelockHarness, relockHarness } from '../support/relock-harness.js';

let h: RelockHarness | undefined;
afterEach(async () => {
  await h?.relock.stop();
  h = undefined;
});

describe('(10.14) notifications of two locks with look-alike names', () => {
  it.each([
    ['Front Door', 'front-door'],
    ['Входная дверь', '玄関'],
  ])("(10.14) a locked report of %s's twin %s does not dismiss its failure notice", async (first, second) => {
    h = await relockHarness();
    const autolock = { enabled: true, dayMinutes: 1, nightMinutes: 1 };
    await h.relock.addLocks([
      { id: 'a', name: first, autolock },
      { id: 'b', name: second, autolock },
    ]);
    h.driver.script('throw');
    h.relock.reportLockState('a', 'unlocked');
    await h.clock.advance(MINUTE);
    const failure = h.notifier.notified.find((n) => n.id.endsWith('_autolock_failed'));
    expect(failure?.id).toBe(autolockNotificationId({ id: 'a', name: first }, 'failed'));

    h.relock.reportLockState('b', 'unlocked');
    await h.clock.advance(0);
    h.relock.reportLockState('b', 'locked');
    await h.clock.advance(0);
    // b showed nothing: its locked report dismisses nothing (and not a's notice)
    expect(h.notifier.dismissed).toEqual([]);

    h.relock.reportLockState('a', 'locked');
    await h.clock.advance(0);
    expect(h.notifier.dismissed).toContain(failure?.id);
  });
});
