/**
 * The bulk SQL path of a `sqlite://` store relock opened: what it sends to SQLite, and that what
 * it writes is exactly what keyv writes (a plain Keyv reads it all back).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createPersistenceLogic, persistenceClient } from '../../src/actors/persistence.actor.js';
import { ManualClock, settle } from '../../src/clock/manual-clock.js';
import { createKeyvStore } from '../../src/persistence/keyv-store.js';
import type { BatchRunner, BulkReader } from '../../src/persistence/persistence-contract.js';
import { gateQueries, ROWS_PER_UPSERT, sqliteBulk } from '../../src/persistence/sqlite-bulk.js';
import { UnparsableValue } from '../../src/persistence/unparsable-value.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function scratchFile(name = 'relock.sqlite'): string {
  const dir = mkdtempSync(join(tmpdir(), 'relock-bulk-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, name);
}

/** A plain Keyv on `file`, as a host or a tool would open it (relock's namespace: `relock`). */
function plainKeyv(file: string): Keyv {
  const keyv = new Keyv({ store: new KeyvSqlite(`sqlite://${file}`), namespace: 'relock' });
  cleanups.push(() => keyv.disconnect());
  return keyv;
}

interface Over {
  batchSize?: number;
  onStoreError?: (key: string) => void;
  /** The bulk path of a store built here (a store `createKeyvStore` opened finds its own). */
  bulk?: { batch: BatchRunner; read: BulkReader };
}

function persistenceOver(store: Keyv, options: Over = {}) {
  const clock = new ManualClock();
  const actor = createActor(
    createPersistenceLogic({
      store,
      clock,
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.bulk === undefined ? {} : { batch: options.bulk.batch, bulkRead: options.bulk.read }),
      onStoreError: ({ key }) => options.onStoreError?.(key),
    }),
    { clock },
  );
  actor.start();
  cleanups.push(() => {
    actor.stop();
  });
  return persistenceClient(actor);
}

/**
 * relock's sqlite store built as `createKeyvStore` builds it, with every statement the bulk path
 * sends recorded (below the gate, so a transaction's own statements are seen too).
 */
async function recordedStore(serialize?: (data: unknown) => Promise<string>) {
  const file = scratchFile();
  const adapter = new KeyvSqlite({ uri: `sqlite://${file}` });
  const statements: string[] = [];
  const query = adapter.query;
  adapter.query = (sql: string, ...params: unknown[]) => {
    statements.push(sql.replace(/\(\?, \?\)(, \(\?, \?\))*/, '(?, ?)…'));
    return query(sql, ...params);
  };
  const store = new Keyv({
    store: adapter,
    namespace: 'relock',
    throwOnErrors: true,
    ...(serialize ? { serialize } : {}),
  });
  cleanups.push(() => store.disconnect());
  const bulk = sqliteBulk(store, adapter);
  await adapter.query('PRAGMA journal_mode=WAL');
  statements.length = 0;
  return { file, store, adapter, statements, bulk };
}

const UPSERT = 'INSERT INTO keyv (key, value) VALUES (?, ?)… ON CONFLICT(key) DO UPDATE SET value = excluded.value';
const DELETE = 'DELETE FROM keyv WHERE key IN (SELECT value FROM json_each(?))';
const SELECT = 'SELECT key, value FROM keyv WHERE key IN (SELECT value FROM json_each(?))';

/** Values as relock writes them, and the corners of keyv's serializer (a leading ':' is escaped). */
const samples: Array<[string, unknown]> = [
  ['timer:front', { v: 1, endsAt: '2026-01-01T12:05:00.000Z', durationSeconds: 300, stage: 'countdown' }],
  ['lock:front', { v: 1, name: 'Front door', pin: '1234', nested: { list: [1, 'two', null, { three: 3 }] } }],
  ['lock:ünïcödé/🔒', { v: 1, name: 'Tür "quoted" \\ back\nslash' }],
  ['owner', { v: 1, owner: 'x', expiresAt: 1_767_268_800_000, host: 'h', pid: 1 }],
  ['colon', ':starts with a colon'],
  ['base64', ':base64:not really'],
  ['number', 42],
  ['null', null],
  ['empty', ''],
  ['array', [1, 2, 3]],
];

interface Row {
  key: string;
  value: string;
}

async function rowsOf(file: string): Promise<Row[]> {
  const adapter = new KeyvSqlite({ uri: `sqlite://${file}` });
  try {
    return (await adapter.query('SELECT key, value FROM keyv ORDER BY key')) as Row[];
  } finally {
    await adapter.disconnect();
  }
}

describe('bulk SQL on a sqlite:// store relock opened', () => {
  it('a batch on a sqlite:// store is one multi-row upsert and one delete in one transaction', async () => {
    const { store, statements, bulk } = await recordedStore();
    const persistence = persistenceOver(store, { bulk });
    await Promise.all([persistence.write('gone', 0), persistence.write('also-gone', 0)]);
    statements.length = 0;
    await Promise.all([
      ...Array.from({ length: 100 }, (_, i) => persistence.write(`timer:lock-${i}`, { i })),
      persistence.remove('gone'),
      persistence.remove('also-gone'),
    ]);
    expect(statements).toEqual(['BEGIN IMMEDIATE', UPSERT, DELETE, 'COMMIT']);
    expect(await store.get('timer:lock-99')).toEqual({ i: 99 });
    expect(await store.get('gone')).toBeUndefined();
  });

  it('a batch of writes alone, or of removes alone, is one statement: its own transaction', async () => {
    const { store, statements, bulk } = await recordedStore();
    const persistence = persistenceOver(store, { bulk });
    await Promise.all([persistence.write('a', 1), persistence.write('b', 2)]);
    expect(statements).toEqual([UPSERT]);
    statements.length = 0;
    await Promise.all([persistence.remove('a'), persistence.remove('b')]);
    expect(statements).toEqual([DELETE]);
    expect(await store.get('a')).toBeUndefined();
  });

  it("a batch larger than one statement's bound variables is chunked, still in one transaction", async () => {
    const { store, statements, bulk } = await recordedStore();
    const persistence = persistenceOver(store, { bulk, batchSize: 2 * ROWS_PER_UPSERT + 1 });
    await Promise.all(Array.from({ length: 2 * ROWS_PER_UPSERT + 1 }, (_, i) => persistence.write(`k${i}`, i)));
    expect(statements).toEqual(['BEGIN IMMEDIATE', UPSERT, UPSERT, UPSERT, 'COMMIT']);
    expect(await store.get(`k${2 * ROWS_PER_UPSERT}`)).toBe(2 * ROWS_PER_UPSERT);
  });

  it('a value that cannot be serialized fails its write alone, before any SQL', async () => {
    const { store, statements, bulk } = await recordedStore();
    const failures: string[] = [];
    const persistence = persistenceOver(store, { bulk, onStoreError: (key) => failures.push(key) });
    const alone = await Promise.allSettled([persistence.write('big', 1n), persistence.write('symbol', Symbol('s'))]);
    expect(alone.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(statements).toEqual([]);
    const mixed = await Promise.allSettled([persistence.write('big', 1n), persistence.write('fine', 1)]);
    expect(mixed.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(statements).toEqual([UPSERT]);
    expect(failures).toEqual(['big', 'symbol', 'big']);
  });

  it('a Keyv whose serializer answers with a promise is refused per write, never stored as text of a promise', async () => {
    const { store, bulk } = await recordedStore(async (data) => JSON.stringify(data));
    const persistence = persistenceOver(store, { bulk });
    await expect(persistence.write('k', 1)).rejects.toMatchObject({
      code: 'STORE_ERROR',
      key: 'k',
      operation: 'write',
    });
    expect(await store.get('k')).toBeUndefined();
  });

  it('what the bulk path writes reads back through a plain Keyv, byte for byte what keyv.set writes', async () => {
    const bulkFile = scratchFile('bulk.sqlite');
    const store = await createKeyvStore(`sqlite://${bulkFile}`);
    cleanups.push(() => store.disconnect());
    const persistence = persistenceOver(store);
    await Promise.all([
      ...samples.map(([key, value]) => persistence.write(key, value)),
      persistence.write('removed', 1),
    ]);
    await persistence.remove('removed');

    const viaSetFile = scratchFile('set.sqlite');
    const viaSet = plainKeyv(viaSetFile);
    for (const [key, value] of samples) expect(await viaSet.set(key, value)).toBe(true);

    // the same table, the same namespaced keys, the same serialized text
    const rows = await rowsOf(bulkFile);
    expect(rows).toEqual(await rowsOf(viaSetFile));
    expect(rows.map((row) => row.key)).toContain('relock:timer:front');

    const plain = plainKeyv(bulkFile);
    for (const [key, value] of samples) expect(await plain.get(key)).toEqual(value);
    expect(await plain.getMany(samples.map(([key]) => key))).toEqual(samples.map(([, value]) => value));
    expect(await plain.get('removed')).toBeUndefined();
  });

  it('what a plain Keyv writes, the bulk path reads and removes', async () => {
    const file = scratchFile();
    const plain = plainKeyv(file);
    for (const [key, value] of samples) await plain.set(key, value);
    const store = await createKeyvStore(`sqlite://${file}`);
    cleanups.push(() => store.disconnect());
    const persistence = persistenceOver(store);
    const results = await persistence.readMany([...samples.map(([key]) => key), 'missing']);
    expect(results).toEqual([...samples.map(([, value]) => ({ value })), { value: undefined }]);
    await Promise.all(samples.map(([key]) => persistence.remove(key)));
    expect(await plain.getMany(samples.map(([key]) => key))).toEqual(samples.map(() => undefined));
  });
});

describe('recovery reads a family with one query', () => {
  it('a readMany of many keys on a sqlite:// store is one SELECT, answered per key', async () => {
    const { store, adapter, statements, bulk } = await recordedStore();
    const persistence = persistenceOver(store, { bulk });
    const keys = Array.from({ length: 1_000 }, (_, i) => `timer:lock-${i}`);
    await Promise.all(keys.slice(0, 900).map((key, i) => persistence.write(key, { i })));
    await adapter.set('relock:timer:lock-900', '{not json');
    statements.length = 0;
    const results = await persistence.readMany(keys);
    expect(statements).toEqual([SELECT]);
    expect(results.slice(0, 900)).toEqual(keys.slice(0, 900).map((_, i) => ({ value: { i } })));
    expect(results[900]).toEqual({ value: expect.any(UnparsableValue) });
    expect(results.slice(901)).toEqual(keys.slice(901).map(() => ({ value: undefined })));
  });

  it('the bulk read answers each key as a read of it would: queued writes and removes, duplicates, corrupt values', async () => {
    const { store, adapter, bulk } = await recordedStore();
    const persistence = persistenceOver(store, { bulk });
    await Promise.all([persistence.write('a', 1), persistence.write('b', 2), persistence.write('c', 3)]);
    await adapter.set('relock:corrupt', '42'); // JSON, but not keyv's { value } box
    const pending = [persistence.write('a', 10), persistence.remove('b')];
    const keys = ['a', 'b', 'c', 'c', 'corrupt', 'missing'];
    const many = await persistence.readMany(keys);
    await Promise.all(pending);
    const one = await Promise.all(keys.map((key) => persistence.read(key)));
    expect(many).toEqual([
      { value: 10 },
      { value: undefined },
      { value: 3 },
      { value: 3 },
      { value: expect.any(UnparsableValue) },
      { value: undefined },
    ]);
    expect(one).toEqual(many.map((result) => ('value' in result ? result.value : result)));
    // the reader alone answers as keyv's get would: the corrupt value is the deserializer's error
    const outcomes = await bulk.read(['c', 'corrupt']);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 3 });
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { name: 'UnparsableValueError' } });
  });

  it('an entry with a keyv expiry is judged by keyv, as a read of it is', async () => {
    const { store, adapter, bulk } = await recordedStore();
    const persistence = persistenceOver(store, { bulk });
    await adapter.set('relock:expired', JSON.stringify({ value: 1, expires: Date.now() - 1_000 }));
    await adapter.set('relock:later', JSON.stringify({ value: 2, expires: Date.now() + 3_600_000 }));
    expect(await persistence.readMany(['expired', 'later'])).toEqual([{ value: undefined }, { value: 2 }]);
  });

  it('a failed bulk query fails every key it asked for, each reported; keys answered from the queue are not', async () => {
    const { store, adapter, bulk } = await recordedStore();
    const failures: string[] = [];
    const persistence = persistenceOver(store, { bulk, onStoreError: (key) => failures.push(key) });
    await persistence.write('a', 1);
    await adapter.query('ALTER TABLE keyv RENAME TO moved');
    const pending = persistence.write('queued', 1).catch(() => {});
    const results = await persistence.readMany(['a', 'b', 'queued']);
    expect(results[0]).toMatchObject({ error: { code: 'STORE_ERROR', key: 'a', operation: 'read' } });
    expect(results[1]).toMatchObject({ error: { code: 'STORE_ERROR', key: 'b', operation: 'read' } });
    expect(results[2]).toEqual({ value: 1 });
    await pending;
    expect(failures).toEqual(expect.arrayContaining(['a', 'b']));
  });
});

describe('a transaction has the connection to itself', () => {
  it('a query asked while a transaction runs waits for it, and the transaction waits for the queries before it', async () => {
    const order: string[] = [];
    const gates = new Map<string, () => void>();
    const adapter = {
      opts: { table: 'keyv' },
      query: (sql: string) => {
        order.push(`start ${sql}`);
        return new Promise<unknown>((resolve) => {
          gates.set(sql, () => {
            order.push(`end ${sql}`);
            resolve([]);
          });
        });
      },
    };
    const exclusive = gateQueries(adapter);
    const before = adapter.query('before');
    const section = exclusive(async (query) => {
      await query('BEGIN');
      await query('COMMIT');
    });
    const during = adapter.query('during');
    await settle();
    expect(order).toEqual(['start before']);
    gates.get('before')?.();
    await settle();
    gates.get('BEGIN')?.();
    await settle();
    gates.get('COMMIT')?.();
    await settle();
    gates.get('during')?.();
    await Promise.all([before, section, during]);
    expect(order).toEqual([
      'start before',
      'end before',
      'start BEGIN',
      'end BEGIN',
      'start COMMIT',
      'end COMMIT',
      'start during',
      'end during',
    ]);
  });

  it("a keyv write asked while a batch's transaction fails is not rolled back with it", async () => {
    const file = scratchFile();
    const store = await createKeyvStore(`sqlite://${file}`);
    cleanups.push(() => store.disconnect());
    const adapter = store.opts.store as unknown as { query(sql: string): Promise<unknown> };
    await adapter.query(
      "CREATE TRIGGER refuse BEFORE INSERT ON keyv WHEN NEW.key = 'relock:bad' BEGIN SELECT RAISE(ABORT, 'refused'); END",
    );
    const persistence = persistenceOver(store);
    const batch = Promise.allSettled([
      persistence.write('good', 1),
      persistence.remove('x'),
      persistence.write('bad', 1),
    ]);
    // asked on the next turns, while the batch's transaction is under way
    const outside = (async () => {
      await settle(1);
      return store.set('owner', { v: 1 });
    })();
    expect((await batch).map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await outside).toBe(true);
    expect(await store.get('owner')).toEqual({ v: 1 });
    expect(await store.get('good')).toBeUndefined();
  });
});
