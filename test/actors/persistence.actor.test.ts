import fc from 'fast-check';
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createPersistenceLogic, persistenceClient } from '../../src/actors/persistence.actor.js';
import { ManualClock, settle } from '../../src/clock/manual-clock.js';
import { createKeyvStore, keyvBatch } from '../../src/persistence/keyv-store.js';
import type { BatchRunner, BulkReader } from '../../src/persistence/persistence-contract.js';
import { FaultyMap } from '../support/faulty-map.js';

const TIMEOUT = 10_000;

async function persistenceOn(map: FaultyMap, extra: { batch?: BatchRunner; bulkRead?: BulkReader; store?: Keyv } = {}) {
  const store = extra.store ?? (await createKeyvStore(new Keyv({ store: map })));
  const failures: string[] = [];
  const clock = new ManualClock();
  const actor = createActor(
    createPersistenceLogic({
      store,
      clock,
      storeTimeoutMs: TIMEOUT,
      onStoreError: ({ key, operation }) => failures.push(`${operation}:${key}`),
      ...extra,
    }),
    { clock },
  );
  actor.start();
  return { store, failures, actor, clock, persistence: persistenceClient(actor) };
}

/** Whether `promise` has settled, without waiting for it. */
async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await settle();
  return done;
}

describe('persistence actor', () => {
  it('T20 a write then a remove leaves the remove on disk even when the store delays the first call', async () => {
    const map = new FaultyMap();
    const { store, persistence } = await persistenceOn(map);
    const release = map.holdNext('set');
    const write = persistence.write('k', { n: 1 });
    const remove = persistence.remove('k');
    setImmediate(release);
    await Promise.all([write, remove]);
    expect(await store.get('k')).toBeUndefined();
  });

  it('T20 a remove then a write leaves the write on disk even when the store delays the first call', async () => {
    const map = new FaultyMap();
    const { store, persistence } = await persistenceOn(map);
    await persistence.write('k', { n: 0 });
    const release = map.holdNext('delete');
    const remove = persistence.remove('k');
    const write = persistence.write('k', { n: 2 });
    setImmediate(release);
    await Promise.all([remove, write]);
    expect(await store.get('k')).toEqual({ n: 2 });
  });

  it('T20 per key, any sequence of writes and removes leaves the last one on disk', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 99 }), fc.constant(null)), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        async (ops, holdFirst) => {
          const map = new FaultyMap();
          const { store, persistence } = await persistenceOn(map);
          const release = holdFirst ? map.holdNext(ops[0] === null ? 'delete' : 'set') : () => {};
          const pending = ops.map((op) => (op === null ? persistence.remove('k') : persistence.write('k', op)));
          setImmediate(release);
          await Promise.all(pending);
          const last = ops[ops.length - 1];
          expect(await store.get('k')).toEqual(last === null ? undefined : last);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('queued writes to one key coalesce to the latest, and every asker is answered', async () => {
    const map = new FaultyMap();
    const { store, persistence } = await persistenceOn(map);
    const release = map.holdNext('set');
    const first = persistence.write('k', 1);
    await new Promise((resolve) => setImmediate(resolve)); // the first write is now in flight
    const rest = [2, 3, 4].map((n) => persistence.write('k', n));
    release();
    await Promise.all([first, ...rest]);
    expect(await store.get('k')).toBe(4);
    expect(map.calls.filter((c) => c.op === 'set')).toHaveLength(2);
    // writes asked together, before any is in flight, travel as one
    await Promise.all([5, 6, 7].map((n) => persistence.write('k', n)));
    expect(map.calls.filter((c) => c.op === 'set')).toHaveLength(3);
    expect(await store.get('k')).toBe(7);
  });

  it('a store error is reported with its key, rejects only its askers, and the queue goes on', async () => {
    const map = new FaultyMap();
    const { store, persistence, failures } = await persistenceOn(map);
    map.failNext('set');
    const failing = persistence.write('a', 1);
    const other = persistence.write('b', 2);
    await expect(failing).rejects.toMatchObject({ code: 'STORE_ERROR', key: 'a', operation: 'write' });
    await other;
    await persistence.write('a', 3);
    expect(failures).toEqual(['write:a']);
    expect(await store.get('a')).toBe(3);
    expect(await store.get('b')).toBe(2);
  });

  it('(10.3) a store whose set resolves false is a failed write: its asker is rejected and the failure reported', async () => {
    const map = new FaultyMap();
    const { store, persistence, failures } = await persistenceOn(map);
    map.refuseNext('set');
    await expect(persistence.write('k', 1)).rejects.toMatchObject({
      code: 'STORE_ERROR',
      key: 'k',
      operation: 'write',
    });
    expect(failures).toEqual(['write:k']);
    expect(await store.get('k')).toBeUndefined();
    await persistence.write('k', 2);
    expect(await store.get('k')).toBe(2);
  });

  it('(10.3) a delete that resolves false (nothing was there) is not a failure', async () => {
    const map = new FaultyMap();
    const { persistence, failures } = await persistenceOn(map);
    await persistence.remove('never-written');
    map.refuseNext('delete');
    await persistence.remove('k');
    expect(failures).toEqual([]);
  });

  it('(10.3) a delete that resolves false while the value is still there is a failed removal', async () => {
    const map = new FaultyMap();
    const { persistence, failures } = await persistenceOn(map);
    await persistence.write('k', 'kept');
    map.refuseNext('delete');
    await expect(persistence.remove('k')).rejects.toMatchObject({ code: 'STORE_ERROR', operation: 'remove' });
    expect(failures).toEqual(['remove:k']);
    await persistence.remove('k');
    expect(await persistence.read('k')).toBeUndefined();
  });

  it('a read sees a queued write before it is durable, and a failed read rejects', async () => {
    const map = new FaultyMap();
    const { persistence, failures } = await persistenceOn(map);
    const release = map.holdNext('set');
    const write = persistence.write('k', 'pending');
    expect(await persistence.read('k')).toBe('pending');
    release();
    await write;
    map.failNext('get');
    await expect(persistence.read('k')).rejects.toMatchObject({ operation: 'read' });
    expect(failures).toEqual(['read:k']);
  });

  it('flush resolves once every operation asked so far is durable', async () => {
    const map = new FaultyMap();
    const { store, persistence } = await persistenceOn(map);
    const release = map.holdNext('set');
    void persistence.write('k', 1);
    let flushed = false;
    const flush = persistence.flush().then(() => {
      flushed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    release();
    await flush;
    expect(await store.get('k')).toBe(1);
  });

  it('a stopped persistence actor rejects new operations instead of hanging', async () => {
    const { actor, persistence } = await persistenceOn(new FaultyMap());
    actor.stop();
    await expect(persistence.write('k', 1)).rejects.toMatchObject({ code: 'SYSTEM_STOPPED' });
  });

  it('a batch runner sees the operations as data: the latest of each key, in the order the keys became ready', async () => {
    const map = new FaultyMap();
    const seen: unknown[] = [];
    const store = await createKeyvStore(new Keyv({ store: map }));
    const batch: BatchRunner = (ops) => {
      seen.push(ops);
      return keyvBatch(store)(ops);
    };
    const { persistence } = await persistenceOn(map, { batch, store });
    await Promise.all([persistence.write('a', 1), persistence.remove('b'), persistence.write('a', 2)]);
    expect(seen).toEqual([
      [
        { kind: 'write', key: 'a', raw: 2 },
        { kind: 'remove', key: 'b' },
      ],
    ]);
  });

  it('a batch runner that throws, or gives no outcome for an operation, fails those operations; the queue goes on', async () => {
    const map = new FaultyMap();
    const store = await createKeyvStore(new Keyv({ store: map }));
    let mode: 'throw' | 'short' | 'fine' = 'throw';
    const batch: BatchRunner = (ops) => {
      if (mode === 'throw') throw new Error('runner broke');
      const calls = keyvBatch(store)(ops);
      return mode === 'short' ? calls.slice(1) : calls;
    };
    const { persistence, failures } = await persistenceOn(map, { batch, store });
    await expect(persistence.write('a', 1)).rejects.toMatchObject({ code: 'STORE_ERROR', key: 'a' });
    mode = 'short';
    const [first, second] = await Promise.allSettled([persistence.write('a', 1), persistence.write('b', 1)]);
    expect(first?.status).toBe('fulfilled');
    expect(second).toMatchObject({
      status: 'rejected',
      reason: { key: 'b', message: expect.stringMatching(/no outcome/) },
    });
    mode = 'fine';
    await persistence.write('b', 2);
    expect(await store.get('b')).toBe(2);
    expect(failures).toEqual(['write:a', 'write:b']);
  });

  it('values travel sealed: an event shows no stored value', async () => {
    const map = new FaultyMap();
    const store = await createKeyvStore(new Keyv({ store: map }));
    const seen: string[] = [];
    const clock = new ManualClock();
    const actor = createActor(createPersistenceLogic({ store, clock, onStoreError: () => {} }), {
      clock,
      inspect: (event) => {
        if (event.type === '@xstate.event') seen.push(JSON.stringify(event.event));
      },
    });
    actor.start();
    await persistenceClient(actor).write('k', { pin: '1234' });
    expect(seen.join('\n')).not.toContain('1234');
    expect(seen.join('\n')).toContain('persistence.write');
  });

  describe('store calls that never return', () => {
    it('(10.8) a set that never returns fails after the timeout and is reported; other keys and flush go on', async () => {
      const map = new FaultyMap();
      const { store, persistence, failures, clock } = await persistenceOn(map);
      map.holdNext('set'); // never released
      const hung = persistence.write('a', 1);
      hung.catch(() => {});
      await settle(); // a's set is in flight
      const other = persistence.write('b', 2);
      const flushed = persistence.flush();
      await clock.advance(TIMEOUT - 1);
      expect(await settledYet(hung)).toBe(false);
      await clock.advance(1);
      await expect(hung).rejects.toMatchObject({ code: 'STORE_ERROR', key: 'a', operation: 'write' });
      await other;
      await flushed;
      expect(failures).toEqual(['write:a']);
      expect(await store.get('b')).toBe(2);
    });

    it('(10.8) per-key order holds after a timeout: the key waits for the hung write, which never lands over a later one', async () => {
      const map = new FaultyMap();
      const { store, persistence, clock } = await persistenceOn(map);
      const release = map.holdNext('set');
      const first = persistence.write('k', 1);
      first.catch(() => {});
      await settle();
      await clock.advance(TIMEOUT);
      await expect(first).rejects.toMatchObject({ code: 'STORE_ERROR', key: 'k' });
      // the hung write may still land: until it has, the key takes no other operation
      await expect(persistence.write('k', 2)).rejects.toMatchObject({ code: 'STORE_ERROR', key: 'k' });
      await expect(persistence.read('k')).rejects.toMatchObject({ code: 'STORE_ERROR', operation: 'read' });
      await persistence.flush();
      release(); // the late write lands now
      await settle();
      expect(await store.get('k')).toBe(1);
      await persistence.write('k', 2);
      expect(await store.get('k')).toBe(2);
      expect(await persistence.read('k')).toBe(2);
    });

    it('(10.8) a get that never returns fails after the timeout as a failed read', async () => {
      const map = new FaultyMap();
      const { persistence, failures, clock } = await persistenceOn(map);
      map.holdNext('get');
      const read = persistence.read('k');
      read.catch(() => {});
      const many = persistence.readMany(['k2']);
      await clock.advance(TIMEOUT);
      await expect(read).rejects.toMatchObject({ code: 'STORE_ERROR', key: 'k', operation: 'read' });
      expect(await many).toEqual([{ value: undefined }]);
      expect(failures).toEqual(['read:k']);
    });

    it('(10.8) a bulk read that never answers fails each key it asked for after the timeout; queued keys answer at once', async () => {
      const map = new FaultyMap();
      let calls = 0;
      const bulkRead: BulkReader = () => {
        calls++;
        return new Promise(() => {});
      };
      const { persistence, failures, clock } = await persistenceOn(map, { bulkRead });
      const pending = persistence.write('queued', 'soon');
      const many = persistence.readMany(['a', 'b', 'queued']);
      await settle();
      await clock.advance(TIMEOUT);
      const results = await many;
      expect(calls).toBe(1);
      expect(results[0]).toMatchObject({ error: { code: 'STORE_ERROR', key: 'a', operation: 'read' } });
      expect(results[1]).toMatchObject({ error: { code: 'STORE_ERROR', key: 'b', operation: 'read' } });
      expect(results[2]).toEqual({ value: 'soon' });
      expect(failures.sort()).toEqual(['read:a', 'read:b']);
      await pending;
      // one key left for the store is one get, not a bulk read
      expect(await persistence.readMany(['queued'])).toEqual([{ value: 'soon' }]);
      expect(calls).toBe(1);
    });

    it('(10.8) a batch that never returns fails whole after the timeout; its keys wait until it has settled', async () => {
      const map = new FaultyMap();
      const store = await createKeyvStore(new Keyv({ store: map }));
      let hold: (() => void) | undefined;
      // a transaction-like runner: the batch's operations share one promise, settled by the batch
      const batch: BatchRunner = (ops) => {
        const held =
          hold === undefined
            ? new Promise<void>((resolve) => {
                hold = resolve;
              })
            : Promise.resolve();
        const whole = held.then(() => Promise.all(keyvBatch(store)(ops))).then(() => {});
        return ops.map(() => whole);
      };
      const { persistence, failures, clock } = await persistenceOn(map, { batch, store });
      const writes = [persistence.write('a', 1), persistence.write('b', 1)];
      for (const write of writes) write.catch(() => {});
      await settle();
      await clock.advance(TIMEOUT);
      for (const write of writes) await expect(write).rejects.toMatchObject({ code: 'STORE_ERROR' });
      expect(failures.sort()).toEqual(['write:a', 'write:b']);
      await persistence.flush();
      await expect(persistence.write('a', 2)).rejects.toMatchObject({ code: 'STORE_ERROR', key: 'a' });
      await persistence.write('c', 3); // a key outside the hung batch is not held up
      hold?.(); // the batch runs late: its writes land, then the keys are free again
      await settle();
      expect(await store.get('a')).toBe(1);
      await persistence.write('a', 2);
      expect(await store.get('a')).toBe(2);
    });

    it('(10.8) no timeout is left on the clock once every call has answered, or once the actor stops', async () => {
      const map = new FaultyMap();
      const { actor, persistence, clock } = await persistenceOn(map);
      await persistence.write('k', 1);
      await persistence.read('k');
      await persistence.remove('k');
      expect(clock.pending).toBe(0);
      map.holdNext('set');
      void persistence.write('k', 2).catch(() => {});
      await settle();
      expect(clock.pending).toBeGreaterThan(0); // the call's bound
      actor.stop();
      expect(clock.pending).toBe(0);
    });
  });
});
