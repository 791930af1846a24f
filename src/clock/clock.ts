/**
 * The one clock every relock actor reads and schedules on.
 *
 * Invariants:
 * - every time read (`now()`) and every delay in relock goes through a `Clock`; nothing calls
 *   `Date.now()` or the global `setTimeout` directly, so every scenario can run in simulated time;
 * - the shape is a superset of XState's `Clock`, so the same object drives the statecharts'
 *   delayed transitions (`createActor(logic, { clock })`);
 * - `systemClock` never fires early: delays above Node's 2^31−1 ms limit are waited out in
 *   chunks, because Node's `setTimeout` fires at once when given a larger delay.
 */

/** An opaque handle returned by `Clock.setTimeout`. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds (negative or non-finite delays count as 0). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a pending `setTimeout`; unknown or already-fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The largest delay Node's `setTimeout` honours (about 24.8 days). */
export const MAX_NATIVE_DELAY_MS = 2 ** 31 - 1;

interface ChunkedHandle {
  native: ReturnType<typeof globalThis.setTimeout> | undefined;
}

function isChunkedHandle(handle: TimerHandle): handle is ChunkedHandle {
  return typeof handle === 'object' && handle !== null && 'native' in handle;
}

/** The wall clock of the host process. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const due = Date.now() + (Number.isFinite(ms) && ms > 0 ? ms : 0);
    const handle: ChunkedHandle = { native: undefined };
    const arm = (): void => {
      const remaining = due - Date.now();
      if (remaining > MAX_NATIVE_DELAY_MS) {
        handle.native = globalThis.setTimeout(arm, MAX_NATIVE_DELAY_MS);
        return;
      }
      handle.native = globalThis.setTimeout(
        () => {
          handle.native = undefined;
          fn();
        },
        Math.max(0, remaining),
      );
    };
    arm();
    return handle;
  },
  clearTimeout(handle) {
    if (isChunkedHandle(handle) && handle.native !== undefined) {
      globalThis.clearTimeout(handle.native);
      handle.native = undefined;
    }
  },
};
