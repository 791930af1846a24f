import { afterEach, describe, expect, it } from 'vitest';
import type { AnyActorRef } from 'xstate';
import { type RelockHarness, relockHarness } from '../support/relock-harness.js';

let h: RelockHarness | undefined;
afterEach(async () => {
  await h?.relock.stop();
  h = undefined;
});

const MAX_CHILDREN = 4;

describe('lock registry structure', () => {
  it('at 10,000 locks no actor holds more than a bounded number of children', async () => {
    h = await relockHarness();
    const configs = Array.from({ length: 10_000 }, (_, i) => ({
      id: `lock-${i}`,
      name: `Lock ${i}`,
      autolock: { enabled: true, dayMinutes: 5 },
    }));
    await h.relock.addLocks(configs);
    for (let i = 0; i < 10_000; i += 7) h.relock.reportLockState(`lock-${i}`, 'unlocked');
    await h.clock.advance(0);
    const actors = Object.values(h.relock.actor.system.getAll()) as AnyActorRef[];
    expect(actors.length).toBeGreaterThanOrEqual(20_001);
    let most = 0;
    for (const actor of actors) {
      const children = (actor.getSnapshot() as { children?: Record<string, unknown> }).children ?? {};
      most = Math.max(most, Object.keys(children).length);
    }
    expect(most).toBeLessThanOrEqual(MAX_CHILDREN);
    expect(h.relock.status('lock-7')).toMatchObject({ running: true, durationSeconds: 300 });
    // stopped here, not in afterEach: stopping 10,000 locks belongs to this test's time budget
    await h.relock.stop();
    h = undefined;
    // about 4 s on a quiet 2-core machine: the limit only catches a hang, with 30x head-room
  }, 120_000);
});

describe('status read model', () => {
  it('a UI subscribed to a lock status store sees each change once, and nothing for a no-op report', async () => {
    h = await relockHarness();
    await h.relock.addLock({ id: 'front', name: 'Front', autolock: { enabled: true, dayMinutes: 1 } });
    const store = h.relock.statusStore('front');
    const seen: string[] = [];
    const full: string[] = [];
    store.subscribe((snapshot) => {
      const { status } = snapshot.context;
      seen.push(`${status.lockState}/${status.timerState}`);
      full.push(JSON.stringify({ ...status, remainingSeconds: null }));
    });
    h.relock.reportLockState('front', 'unlocked');
    await h.clock.advance(0);
    const afterUnlock = seen.length;
    h.relock.reportLockState('front', 'unlocked');
    await h.clock.advance(0);
    expect(seen.length).toBe(afterUnlock);
    await h.clock.advance(60_000);
    h.relock.reportLockState('front', 'locked');
    await h.clock.advance(0);
    expect(seen).toContain('unlocked/ACTIVE');
    expect(seen[seen.length - 1]).toBe('locked/DONE');
    for (let i = 1; i < full.length; i++) expect(full[i]).not.toBe(full[i - 1]);
  });
});

describe('lock records at a restart', () => {
  const config = {
    id: 'front',
    name: 'Front',
    autolock: { enabled: true, dayMinutes: 5 },
    codeSlots: [{ number: 1, name: 'Guest', pin: '482913' }],
  };
  const recordWrites = (first: RelockHarness) =>
    first.map.calls.filter((call) => call.op === 'set' && call.key.includes('lock:front')).length;

  it('a restart whose lock is just as its stored record says writes no record back', async () => {
    const first = await relockHarness();
    await first.relock.addLock(config);
    first.relock.reportLockState('front', 'unlocked');
    await first.clock.advance(0);
    await first.relock.stop();
    first.map.calls.length = 0;
    h = await relockHarness({ clock: first.clock, map: first.map });
    await h.relock.addLock(config);
    await h.relock.flush();
    expect(recordWrites(first)).toBe(0);
    expect(h.relock.status('front').lockState).toBe('unlocked');
  });

  it('a restart whose config changed a PIN writes the record (digits compared, not the redacted form)', async () => {
    const first = await relockHarness();
    await first.relock.addLock(config);
    await first.relock.stop();
    first.map.calls.length = 0;
    h = await relockHarness({ clock: first.clock, map: first.map });
    // a new slot 2 (the old slot 1 keeps its user state): the record changes
    await h.relock.addLock({ ...config, codeSlots: [...config.codeSlots, { number: 2, pin: '771204' }] });
    await h.relock.flush();
    expect(recordWrites(first)).toBe(1);
    expect(JSON.stringify(await h.stored('lock:front'))).toContain('771204');
  });
});
