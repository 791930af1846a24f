/**
 * The demo's wait between simulated timers (`demo/quiet.ts`): it covers a store write asked in
 * reaction to one that has just landed, which a single flush does not, and it gives up on a
 * system that never stops asking.
 *
 * The store here answers each call one event-loop turn later (no real-time sleep), and "flush"
 * waits for the writes asked so far, as `relock.flush()` does.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { countStoreCalls, untilQuiet } from '../../demo/quiet.js';

/** A Keyv on a Map whose every call answers one event-loop turn later. */
function turnLateKeyv(): Keyv {
  const map = new Map<string, unknown>();
  const later = async <T>(answer: () => T): Promise<T> => {
    await nextTurn();
    return answer();
  };
  const adapter = {
    get: (key: string) => later(() => map.get(key)),
    set: (key: string, value: unknown) =>
      later(() => {
        map.set(key, value);
        return true;
      }),
    delete: (key: string) => later(() => map.delete(key)),
    clear: () => later(() => map.clear()),
    has: (key: string) => later(() => map.has(key)),
    on: () => adapter,
  };
  return new Keyv({ store: adapter as unknown as Map<string, unknown> });
}

/** A system that writes `first` and, a turn after it has landed, `second`; `flush` waits for the writes asked so far. */
function chainedWrites(keyv: Keyv) {
  const asked: Promise<unknown>[] = [];
  const landed = new Set<string>();
  const write = (key: string) => {
    const call = keyv.set(key, true).then(() => landed.add(key));
    asked.push(call);
    return call;
  };
  return {
    landed,
    start: () =>
      void write('first').then(async () => {
        await nextTurn();
        await write('second');
      }),
    flush: async () => {
      await Promise.all([...asked]);
    },
  };
}

describe('the demo waits until the store is quiet', () => {
  it('counts every get, set and delete asked of the Keyv', async () => {
    const keyv = turnLateKeyv();
    const calls = countStoreCalls(keyv);
    await keyv.set('a', 1);
    await keyv.get('a');
    await keyv.getMany(['a', 'b']);
    await keyv.delete('a');
    expect(calls()).toBe(4);
  });

  it('a single flush misses a write asked after another landed (the cause of the demo losing a line)', async () => {
    const keyv = turnLateKeyv();
    const calls = countStoreCalls(keyv);
    const system = chainedWrites(keyv);
    system.start();
    await system.flush();
    expect([...system.landed]).toEqual(['first']);
    // the reaction to the first write had not asked its write yet when the flush resolved
    expect(calls()).toBe(1);
  });

  it('untilQuiet waits for the write asked in reaction, and for nothing more', async () => {
    const keyv = turnLateKeyv();
    const calls = countStoreCalls(keyv);
    const system = chainedWrites(keyv);
    system.start();
    let flushes = 0;
    await untilQuiet(() => {
      flushes++;
      return system.flush();
    }, calls);
    expect(calls()).toBe(2);
    expect([...system.landed]).toEqual(['first', 'second']);
    // a pass that saw the second write asked, then one pass that saw nothing new
    expect(flushes).toBe(2);
  });

  it('gives up after maxPasses on a system that asks something new on every pass', async () => {
    let asked = 0;
    let flushes = 0;
    await untilQuiet(
      async () => {
        flushes++;
      },
      () => asked++,
      7,
    );
    expect(flushes).toBe(7);
  });
});
