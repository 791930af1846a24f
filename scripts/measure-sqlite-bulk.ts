/**
 * `npx tsx scripts/measure-sqlite-bulk.ts [entries] [runs]`: how long the persistence actor takes
 * on a `sqlite://` store relock opened, for one family of `entries` keys (default 10,000):
 * - write, one batch: every write asked together, `batchSize` = entries (one batch);
 * - write, default batches: every write asked together, the default `batchSize` (512);
 * - readMany: one `readMany` of every key (what recovery asks);
 * - keyv getMany: keyv's own `getMany` of the same keys, for reference.
 * Each figure is the median of `runs` runs (default 5) after one warm-up run, each on a fresh file
 * in a temp folder.
 * A measurement, not a test: the numbers go into BENCHMARKS.md by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type Keyv from 'keyv';
import { createActor } from 'xstate';
import { createPersistenceLogic, persistenceClient } from '../src/actors/persistence.actor.js';
import { systemClock } from '../src/clock/clock.js';
import { batchRunnerOf, createKeyvStore } from '../src/persistence/keyv-store.js';

const entries = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 5);

const keys = Array.from({ length: entries }, (_, i) => `timer:lock-${String(i).padStart(6, '0')}`);
const value = (i: number) => ({
  v: 1,
  endsAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  durationSeconds: 300,
});

async function onFreshFile<T>(run: (store: Keyv, url: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'relock-measure-'));
  const url = `sqlite://${join(dir, 'relock.sqlite')}`;
  const store = await createKeyvStore(url);
  try {
    return await run(store, url);
  } finally {
    await store.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

function persistenceOn(store: Keyv, batchSize?: number) {
  const actor = createActor(
    createPersistenceLogic({
      store,
      clock: systemClock,
      batch: batchRunnerOf(store),
      ...(batchSize === undefined ? {} : { batchSize }),
      onStoreError: ({ key, error }) => {
        throw new Error(`store error on ${key}: ${error.message}`);
      },
    }),
  );
  actor.start();
  return { actor, persistence: persistenceClient(actor) };
}

async function timeWrites(batchSize?: number): Promise<number> {
  return onFreshFile(async (store) => {
    const { actor, persistence } = persistenceOn(store, batchSize);
    const started = performance.now();
    await Promise.all(keys.map((key, i) => persistence.write(key, value(i))));
    const ms = performance.now() - started;
    actor.stop();
    return ms;
  });
}

async function seeded(store: Keyv): Promise<void> {
  const { actor, persistence } = persistenceOn(store, entries);
  await Promise.all(keys.map((key, i) => persistence.write(key, value(i))));
  actor.stop();
}

async function timeReadMany(): Promise<number> {
  return onFreshFile(async (store) => {
    await seeded(store);
    const { actor, persistence } = persistenceOn(store);
    const started = performance.now();
    const results = await persistence.readMany(keys);
    const ms = performance.now() - started;
    actor.stop();
    const found = results.filter((r) => 'value' in r && r.value !== undefined).length;
    if (found !== entries) throw new Error(`readMany found ${found} of ${entries}`);
    return ms;
  });
}

async function timeKeyvGetMany(): Promise<number> {
  return onFreshFile(async (store) => {
    await seeded(store);
    const started = performance.now();
    const values = await store.getMany(keys);
    const ms = performance.now() - started;
    if (values.filter((v) => v !== undefined).length !== entries) throw new Error('getMany missed entries');
    return ms;
  });
}

async function median(measure: () => Promise<number>): Promise<string> {
  await measure(); // warm-up: JIT and file-system caches
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await measure());
  times.sort((a, b) => a - b);
  const mid = times[Math.floor(times.length / 2)] ?? Number.NaN;
  return `${mid.toFixed(0)} ms (runs: ${times.map((t) => t.toFixed(0)).join(', ')})`;
}

console.log(`${entries} entries, median of ${runs} runs, Node ${process.version}`);
console.log(`write, one batch:        ${await median(() => timeWrites(entries))}`);
console.log(`write, batches of 512:   ${await median(() => timeWrites())}`);
console.log(`readMany (actor):        ${await median(timeReadMany)}`);
console.log(`keyv getMany:            ${await median(timeKeyvGetMany)}`);
