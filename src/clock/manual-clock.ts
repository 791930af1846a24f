/**
 * A simulated clock for tests and demos: time moves only when asked to.
 *
 * Invariants:
 * - `advance(ms)` runs every timer that falls due within the window in due order, including
 *   timers scheduled *while* advancing (a chained `after`, even `after: 0`), which XState's own
 *   `SimulatedClock` skips;
 * - between timers it lets pending promise work settle, so async actors (store writes, driver
 *   calls) that resolve without waiting on time complete before the next timer is due;
 * - it never sleeps in real time.
 */
import type { Clock, TimerHandle } from './clock.js';

interface Scheduled {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/** Lets queued promise callbacks and I/O completions run, without advancing simulated time. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  readonly #timers = new Map<number, Scheduled>();
  #settle: () => Promise<void> = () => settle();

  constructor(start: number | Date = Date.UTC(2026, 0, 1, 12, 0, 0)) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  /**
   * What to wait for between timers while advancing, besides pending promise callbacks: a
   * system on a file store passes `() => relock.flush()`, so simulated time never outruns
   * real I/O.
   */
  settleWith(wait: () => Promise<void>): void {
    this.#settle = async () => {
      await settle();
      await wait();
    };
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.#timers.set(id, { id, due: this.#now + delay, fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'number') this.#timers.delete(handle);
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.#timers.size;
  }

  /**
   * Steps the wall clock by `ms` (either way) without time passing, as an NTP correction or a
   * host whose clock was set does: `now()` jumps, while pending timers still fire after the
   * time they were set for, as the host's own timers would.
   */
  stepWallClock(ms: number): void {
    this.#now += ms;
    for (const [id, timer] of this.#timers) this.#timers.set(id, { ...timer, due: timer.due + ms });
  }

  /** Moves time forward by `ms`, running every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.#now + ms);
  }

  /** Moves time forward to the instant `target` (never backwards). */
  async advanceTo(target: number): Promise<void> {
    await this.#settle();
    for (;;) {
      const next = this.#nextDue(target);
      if (next === undefined) break;
      this.#timers.delete(next.id);
      if (next.due > this.#now) this.#now = next.due;
      next.fn();
      await this.#settle();
    }
    if (target > this.#now) this.#now = target;
    await this.#settle();
  }

  #nextDue(limit: number): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const timer of this.#timers.values()) {
      if (timer.due > limit) continue;
      if (best === undefined || timer.due < best.due || (timer.due === best.due && timer.id < best.id)) {
        best = timer;
      }
    }
    return best;
  }
}
