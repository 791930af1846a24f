import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createPersistenceLogic, persistenceClient } from '../../src/actors/persistence.actor.js';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { batchRunnerOf, createKeyvStore } from '../../src/persistence/keyv-store.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sqlitePersistence() {
  const dir = mkdtempSync(join(tmpdir(), 'relock-batch-'));
  const store: Keyv = await createKeyvStore(`sqlite://${join(dir, 'batch.sqlite')}`);
  const failures: string[] = [];
  const clock = new ManualClock();
  const actor = createActor(
    createPersistenceLogic({
      store,
      clock,
      batch: batchRunnerOf(store),
      onStoreError: ({ key }) => failures.push(key),
    }),
    { clock },
  );
  actor.start();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.disconnect());
  cleanups.push(() => {
    actor.stop();
  });
  return { store, failures, persistence: persistenceClient(actor) };
}

describe('batched writes on @keyv/sqlite', () => {
  it('writes asked together are committed together, each asker answered when durable', async () => {
    const { store, persistence } = await sqlitePersistence();
    expect(batchRunnerOf(store)).toBeDefined();
    await Promise.all(Array.from({ length: 200 }, (_, i) => persistence.write(`k${i}`, { i })));
    expect(await store.get('k0')).toEqual({ i: 0 });
    expect(await store.get('k199')).toEqual({ i: 199 });
  });

  it('a batch with one failing write is rolled back whole, and every write in it is reported', async () => {
    const { store, persistence, failures } = await sqlitePersistence();
    const results = await Promise.allSettled([
      persistence.write('good', { ok: true }),
      persistence.write('bad', { n: 1n }), // BigInt cannot be serialized: this write fails
      persistence.remove('other'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(failures.sort()).toEqual(['bad', 'good', 'other']);
    expect(await store.get('good')).toBeUndefined();
    // the queue goes on: asked again, the good write lands
    await persistence.write('good', { ok: true });
    expect(await store.get('good')).toEqual({ ok: true });
  });
});
