/**
 * The demo's simulated time waits until relock is quiet: no store call asked that has not been
 * waited for.
 *
 * Why: the demo's clock is a ManualClock; between two timers it lets promise work settle and
 * awaits `relock.flush()`, which resolves once every store write asked *so far* is durable. A
 * write asked in reaction to one that has just landed (a start held while the entry was being
 * written, re-armed once it is durable) comes after that flush; on a file store its timing is
 * real I/O, so simulated time could move on before or after it, and an event such as "autolock
 * set" would appear in one run and not in another. `untilQuiet` flushes again until a whole pass
 * asks no new store call.
 *
 * Invariants:
 * - `countStoreCalls` counts every get, getMany, set (setMany counts per key) and delete asked
 *   of the Keyv, through keyv's own hooks; the count only grows;
 * - `untilQuiet` returns after a pass (flush, then a few event-loop turns) in which the count did
 *   not change, or after `maxPasses` passes (a system that never stops asking is not waited for
 *   forever); it never advances simulated time and never sleeps in real time.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type default as Keyv, KeyvHooks } from 'keyv';

/** Counts the store calls asked of `keyv` from now on; returns a reader of the count. */
export function countStoreCalls(keyv: Keyv): () => number {
  let calls = 0;
  const count = () => {
    calls++;
  };
  for (const hook of [KeyvHooks.PRE_GET, KeyvHooks.PRE_GET_MANY, KeyvHooks.PRE_SET, KeyvHooks.PRE_DELETE]) {
    keyv.hooks.addHandler(hook, count);
  }
  return () => calls;
}

/** Event-loop turns after a flush in which a reaction to a landed write may ask the next one. */
const TURNS = 5;

/** Flushes until a pass asks no new store call. */
export async function untilQuiet(
  flush: () => Promise<void>,
  storeCalls: () => number,
  maxPasses = 1_000,
): Promise<void> {
  for (let pass = 0; pass < maxPasses; pass++) {
    const before = storeCalls();
    await flush();
    for (let turn = 0; turn < TURNS; turn++) await nextTurn();
    if (storeCalls() === before) return;
  }
}
