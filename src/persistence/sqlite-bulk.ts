/**
 * Bulk SQL on a `sqlite://` store relock opened: a batch is one transaction of one multi-row
 * upsert and one multi-key delete, a read of many keys is one query, both in keyv's own format.
 *
 * Invariants:
 * - what the bulk path writes is what `Keyv#set` would: the same table and columns as
 *   @keyv/sqlite (`<table>(key, value)`, the adapter's own table name), the same key (keyv's
 *   namespace prefix, `relock:timer:front`, through keyv's own `_getKeyPrefix`) and the same text
 *   (keyv's serializer on `{ value, expires }`, with no `expires`: the Keyv relock opens has no
 *   ttl); a plain Keyv on the same file reads every entry back, with `get` or `getMany`;
 * - a batch is all or nothing: one `BEGIN IMMEDIATE … COMMIT` around the upsert (one statement
 *   per `ROWS_PER_UPSERT` rows, under SQLite's bound-variable limit) and the delete (one
 *   statement, the keys as one JSON parameter); any failing statement rolls the whole batch back
 *   and every operation that reached it fails with that error; a batch of one statement is its
 *   own transaction; a value the serializer refuses fails its operation alone, before any SQL;
 * - a transaction has the connection to itself: every other query on the adapter (keyv's own
 *   get/set/delete, the store owner's record, bulk reads) waits for it, and it waits for the
 *   queries already running (sqlite3 runs queries of one connection in no fixed order), so no
 *   foreign statement joins or splits a batch;
 * - a bulk read is one `SELECT key, value … WHERE key IN (…)` matched through a Map (not
 *   @keyv/sqlite's `getMany`, whose row matching is quadratic), each row deserialized by keyv's
 *   deserializer; per key it answers as `Keyv#get` would: missing is `undefined`, a value that
 *   cannot be deserialized rejects (an `UnparsableValueError` once `markUnparsableValues` has
 *   marked the Keyv), a failed query rejects every key it asked for; a row carrying an `expires`
 *   (written by someone else with a ttl) is left to `Keyv#get`, which judges it on keyv's clock.
 */
import type Keyv from 'keyv';
import type { BatchRunner, BulkReader } from './persistence-contract.js';

type Query = (sql: string, ...params: unknown[]) => Promise<unknown>;

/** What the bulk path needs of the @keyv/sqlite adapter: its query function and its table. */
export interface SqliteAdapter {
  query: Query;
  readonly opts: { readonly table?: string };
}

/** Rows per upsert statement: 4,000 bound variables, under SQLite's limit (32,766 since 3.32). */
export const ROWS_PER_UPSERT = 2_000;

const noop = (): void => {};

/** Runs `run` with the connection to itself; every other query of the adapter takes turns around it. */
export type Exclusive = <T>(run: (query: Query) => Promise<T>) => Promise<T>;

/**
 * Makes every query of `adapter` wait for a running exclusive section, and gives the sections:
 * each waits for the queries started before it, then runs alone on the raw query function.
 */
export function gateQueries(adapter: SqliteAdapter): Exclusive {
  const raw = adapter.query;
  // settles when the latest exclusive section has ended
  let section: Promise<void> = Promise.resolve();
  // shared queries started since that section was asked for
  const running = new Set<Promise<void>>();
  adapter.query = (sql, ...params) => {
    const result = section.then(() => raw(sql, ...params));
    const done = result.then(noop, noop);
    running.add(done);
    void done.then(() => running.delete(done));
    return result;
  };
  return (run) => {
    const before = Promise.all([section, ...running]);
    running.clear();
    const result = before.then(() => run(raw));
    section = result.then(noop, noop);
    return result;
  };
}

/** The text keyv's `set` stores for `value` on `store` (a Keyv without ttl or compression). */
function serialized(store: Keyv, value: unknown): string {
  if (typeof value === 'symbol') throw new Error('symbol cannot be serialized');
  const text: unknown = store.serialize?.({ value, expires: undefined });
  if (typeof text !== 'string') throw new Error('the store serializer did not give a string');
  return text;
}

function upsert(table: string, rows: number): string {
  const values = Array.from({ length: rows }, () => '(?, ?)').join(', ');
  return `INSERT INTO ${table} (key, value) VALUES ${values} ON CONFLICT(key) DO UPDATE SET value = excluded.value`;
}

/** Runs `statements` as one transaction (one statement is its own); any failure rolls all back. */
async function transaction(query: Query, statements: ReadonlyArray<readonly [string, unknown[]]>): Promise<void> {
  const [only] = statements;
  if (statements.length === 1 && only !== undefined) {
    await query(only[0], only[1]);
    return;
  }
  await query('BEGIN IMMEDIATE');
  try {
    for (const [sql, params] of statements) await query(sql, params);
    await query('COMMIT');
  } catch (error) {
    await query('ROLLBACK').catch(noop);
    throw error;
  }
}

/** The batch runner of a `sqlite://` store relock opened: one transaction per batch. */
export function sqliteBatch(store: Keyv, table: string, exclusive: Exclusive): BatchRunner {
  return (ops) => {
    const outcomes: Promise<void>[] = [];
    const inTransaction: number[] = [];
    const rows: string[] = [];
    const removed: string[] = [];
    for (const [i, op] of ops.entries()) {
      const key = store._getKeyPrefix(op.key);
      if (op.kind === 'remove') {
        removed.push(key);
        inTransaction.push(i);
        continue;
      }
      try {
        rows.push(key, serialized(store, op.raw));
        inTransaction.push(i);
      } catch (error) {
        outcomes[i] = Promise.reject(error);
      }
    }
    if (inTransaction.length > 0) {
      const statements: Array<readonly [string, unknown[]]> = [];
      for (let at = 0; at < rows.length; at += 2 * ROWS_PER_UPSERT) {
        const chunk = rows.slice(at, at + 2 * ROWS_PER_UPSERT);
        statements.push([upsert(table, chunk.length / 2), chunk]);
      }
      if (removed.length > 0) {
        statements.push([
          `DELETE FROM ${table} WHERE key IN (SELECT value FROM json_each(?))`,
          [JSON.stringify(removed)],
        ]);
      }
      const done = exclusive((query) => transaction(query, statements));
      for (const i of inTransaction) outcomes[i] = done;
    }
    return outcomes;
  };
}

interface Row {
  readonly key: string;
  readonly value: unknown;
}

/** Reads many keys of a `sqlite://` store relock opened with one query. */
export function sqliteReader(store: Keyv, adapter: SqliteAdapter, table: string): BulkReader {
  const decode = async (key: string, raw: unknown): Promise<unknown> => {
    // as `Keyv#get`: a string is deserialized, anything else is taken as it is
    const data = typeof raw === 'string' ? await store.deserializeData(raw) : raw;
    if (data === undefined || data === null) return undefined;
    const { value, expires } = data as { value?: unknown; expires?: unknown };
    // an expiry is keyv's to judge (on its clock), as today
    if (typeof expires === 'number') return store.get(key);
    return value;
  };
  return async (keys) => {
    const stored = keys.map((key) => store._getKeyPrefix(key));
    let rows: Row[];
    try {
      rows = (await adapter.query(`SELECT key, value FROM ${table} WHERE key IN (SELECT value FROM json_each(?))`, [
        JSON.stringify(stored),
      ])) as Row[];
    } catch (error) {
      return keys.map((): PromiseSettledResult<unknown> => ({ status: 'rejected', reason: error }));
    }
    const byKey = new Map<string, unknown>();
    for (const row of rows) byKey.set(row.key, row.value);
    return Promise.allSettled(keys.map((key, i) => decode(key, byKey.get(stored[i] as string))));
  };
}

/** The bulk path of a `sqlite://` store relock opened on `adapter`; gates the adapter's queries. */
export function sqliteBulk(store: Keyv, adapter: SqliteAdapter): { batch: BatchRunner; read: BulkReader } {
  const table = adapter.opts.table ?? 'keyv';
  const exclusive = gateQueries(adapter);
  return { batch: sqliteBatch(store, table, exclusive), read: sqliteReader(store, adapter, table) };
}
