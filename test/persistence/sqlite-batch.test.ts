import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createPersistenceLogic, persistenceClient } from '../../src/actors/persistence.actor.js';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { batchRunnerOf, bulkReaderOf, createKeyvStore } from '../../src/persistence/keyv-store.js';
import { timerHarness } from '../support/timer-harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The @keyv/sqlite adapter under relock's Keyv: SQL past keyv (it takes its turn like any query). */
interface RawAdapter {
  query(sql: string, ...params: unknown[]): Promise<unknown>;
}

async function sqliteStore(): Promise<{ store: Keyv; adapter: RawAdapter }> {
  const dir = mkdtempSync(join(tmpdir(), 'relock-batch-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const store: Keyv = await createKeyvStore(`sqlite://${join(dir, 'batch.sqlite')}`);
  cleanups.push(() => store.disconnect());
  return { store, adapter: store.opts.store as unknown as RawAdapter };
}

async function sqlitePersistence() {
  const { store, adapter } = await sqliteStore();
  const failures: string[] = [];
  const clock = new ManualClock();
  // no `batch` given: the actor finds the store's own bulk path
  const actor = createActor(createPersistenceLogic({ store, clock, onStoreError: ({ key }) => failures.push(key) }), {
    clock,
  });
  actor.start();
  cleanups.push(() => {
    actor.stop();
  });
  return { store, adapter, failures, persistence: persistenceClient(actor) };
}

/** Makes every write of `key` (keyv's stored key) fail inside SQLite, as a full disk or a constraint would. */
async function failWritesOf(adapter: RawAdapter, key: string): Promise<() => Promise<void>> {
  const condition = `NEW.key = '${key}'`;
  await adapter.query(
    `CREATE TRIGGER refuse_insert BEFORE INSERT ON keyv WHEN ${condition} BEGIN SELECT RAISE(ABORT, 'refused'); END`,
  );
  await adapter.query(
    `CREATE TRIGGER refuse_update BEFORE UPDATE ON keyv WHEN ${condition} BEGIN SELECT RAISE(ABORT, 'refused'); END`,
  );
  return async () => {
    await adapter.query('DROP TRIGGER refuse_insert');
    await adapter.query('DROP TRIGGER refuse_update');
  };
}

describe('batched writes on a sqlite:// store relock opened', () => {
  it('writes asked together are committed together, each asker answered when durable', async () => {
    const { store, persistence } = await sqlitePersistence();
    expect(batchRunnerOf(store)).toBeDefined();
    expect(bulkReaderOf(store)).toBeDefined();
    await Promise.all(Array.from({ length: 200 }, (_, i) => persistence.write(`k${i}`, { i })));
    expect(await store.get('k0')).toEqual({ i: 0 });
    expect(await store.get('k199')).toEqual({ i: 199 });
  });

  it('a failing transaction fails every operation of its batch and changes nothing; asked again, they land', async () => {
    const { store, adapter, persistence, failures } = await sqlitePersistence();
    await persistence.write('other', { kept: true });
    const allowWrites = await failWritesOf(adapter, 'relock:bad');
    const results = await Promise.allSettled([
      persistence.write('good', { ok: true }),
      persistence.write('bad', { n: 1 }),
      persistence.remove('other'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(results[0]).toMatchObject({ reason: { code: 'STORE_ERROR', key: 'good', operation: 'write' } });
    expect(results[2]).toMatchObject({ reason: { code: 'STORE_ERROR', key: 'other', operation: 'remove' } });
    expect(failures.sort()).toEqual(['bad', 'good', 'other']);
    // rolled back whole: neither the good write nor the removal is on disk
    expect(await store.get('good')).toBeUndefined();
    expect(await store.get('other')).toEqual({ kept: true });
    // the queue goes on: asked again once the store takes them, they land
    await allowWrites();
    await Promise.all([
      persistence.write('good', { ok: true }),
      persistence.write('bad', { n: 1 }),
      persistence.remove('other'),
    ]);
    expect(await store.get('good')).toEqual({ ok: true });
    expect(await store.get('bad')).toEqual({ n: 1 });
    expect(await store.get('other')).toBeUndefined();
  });

  it('a value the serializer refuses fails its own write alone; the rest of its batch is durable', async () => {
    const { store, persistence, failures } = await sqlitePersistence();
    await persistence.write('other', 1);
    const results = await Promise.allSettled([
      persistence.write('good', { ok: true }),
      persistence.write('bad', { n: 1n }), // a BigInt cannot be serialized: this write fails before any SQL
      persistence.remove('other'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(failures).toEqual(['bad']);
    expect(await store.get('good')).toEqual({ ok: true });
    expect(await store.get('bad')).toBeUndefined();
    expect(await store.get('other')).toBeUndefined();
  });

  it('a timer whose entry write fails in a transaction retries it as after any failure, until it is durable', async () => {
    const { store, adapter } = await sqliteStore();
    const h = await timerHarness({ store });
    cleanups.push(() => h.stop());
    h.locks.set('front', { name: 'Front' });
    const timer = h.newTimer('front');
    await timer.recover();
    const allowWrites = await failWritesOf(adapter, 'relock:timer:front');
    await expect(timer.start(300)).rejects.toMatchObject({
      code: 'STORE_ERROR',
      key: 'timer:front',
      operation: 'write',
    });
    expect(timer.status().state).toBe('ARMING');
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'store.error', key: 'timer:front' }));
    await allowWrites();
    h.clock.settleWith(() => h.persistence.flush());
    await h.clock.advance(60_000);
    expect(timer.status().state).toBe('ACTIVE');
    expect(await h.stored('front')).toMatchObject({ v: 1, durationSeconds: 300 });
  });
});
