import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_NATIVE_DELAY_MS, systemClock } from '../../src/clock/clock.js';
import { ManualClock } from '../../src/clock/manual-clock.js';

describe('system clock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a delay longer than 2^31-1 ms does not fire early', async () => {
    vi.useFakeTimers();
    const fortyDays = 40 * 24 * 3600 * 1000;
    const fired = vi.fn();
    systemClock.setTimeout(fired, fortyDays);
    await vi.advanceTimersByTimeAsync(MAX_NATIVE_DELAY_MS + 1);
    expect(fired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(fortyDays - MAX_NATIVE_DELAY_MS - 2);
    expect(fired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('a cleared long delay never fires, also after its first chunk', async () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    const handle = systemClock.setTimeout(fired, 2 * MAX_NATIVE_DELAY_MS);
    await vi.advanceTimersByTimeAsync(MAX_NATIVE_DELAY_MS + 10);
    systemClock.clearTimeout(handle);
    await vi.advanceTimersByTimeAsync(2 * MAX_NATIVE_DELAY_MS);
    expect(fired).not.toHaveBeenCalled();
  });
});

describe('manual clock', () => {
  it('runs timers scheduled during an advance when they fall due within it, in due order', async () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => {
      seen.push(`a@${clock.now()}`);
      clock.setTimeout(() => seen.push(`chained@${clock.now()}`), 0);
      clock.setTimeout(() => seen.push(`later@${clock.now()}`), 50);
    }, 100);
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 120);
    await clock.advance(200);
    expect(seen).toEqual(['a@100', 'chained@100', 'b@120', 'later@150']);
    expect(clock.now()).toBe(200);
  });

  it('a cleared timer does not run', async () => {
    const clock = new ManualClock(0);
    const fired = vi.fn();
    clock.clearTimeout(clock.setTimeout(fired, 10));
    await clock.advance(100);
    expect(fired).not.toHaveBeenCalled();
    expect(clock.pending).toBe(0);
  });
});
