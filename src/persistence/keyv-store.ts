/**
 * Opening the keyv store relock persists into.
 *
 * Invariants:
 * - every store relock uses throws on errors (`throwOnErrors`): keyv's default turns a failing
 *   `get` into `undefined`, which would read as "no timer" and silently drop an autolock;
 * - the default is an in-memory Keyv that still JSON-serializes, as a durable store would;
 * - on a `sqlite://` store relock opened, the persistence actor writes each batch as one
 *   transaction of bulk SQL in keyv's own format (`batchRunnerOf`, `sqlite-bulk.ts`) and reads
 *   many keys with one query (`bulkReaderOf`); any other store (a host's own Keyv, memory) gets
 *   one keyv call per operation (`keyvBatch`): a `set` that resolves `false` is a failure, and so
 *   is a `delete` that resolves `false` while the key can still be read (one that found nothing is
 *   not); `sqlite://<file>` opens `@keyv/sqlite` in WAL mode with
 *   `synchronous=NORMAL` (durable across a process crash; one fsync per checkpoint, not per write);
 * - `sqlite://<file>` creates the file's folder when it is missing; a file that still cannot be
 *   opened (unwritable folder, a folder in the file's place) raises `StoreError('open', url)`
 *   saying what to check, never a raw `SQLITE_CANTOPEN`; opens of one file in this process take
 *   turns, so two systems started together meet the owner claim, not `SQLITE_BUSY`;
 * - `redis://host[:port][/db]` connects to Redis through `@keyv/redis` (`redis-store.ts`): the
 *   open fails (`StoreError('open')`) rather than waits when Redis cannot be reached, and while
 *   a connection is down each call fails at once, to be reported and retried by relock; a store
 *   relock opened on one Redis database is one store to the store owner (`ownerSlotOf`);
 * - `@keyv/sqlite` and `@keyv/redis` are optional peer dependencies, imported only when their URL
 *   is given; a missing one is a `StorePackageMissingError` naming the package to install;
 * - a store URL is shown in errors without its password (`redactStoreUrl`);
 * - any other keyv adapter (PostgreSQL, ...) is passed in as a ready `Keyv`, without a
 *   `ttl`: a Keyv with one would silently expire timer entries and lock records, so it is
 *   refused (`InvalidArgumentError` on `store.ttl`); keyv's `ttl: 0` means none and is accepted.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import Keyv from 'keyv';
import { InvalidArgumentError, StoreError } from '../errors.js';
import type { BatchRunner, BulkReader, StoreOp } from './persistence-contract.js';
import { openRedisStore } from './redis-store.js';
import { sqliteBulk } from './sqlite-bulk.js';
import { loadStorePackage } from './store-packages.js';
import { redactStoreUrl } from './store-url.js';

/** A Keyv, `'memory'`, a `sqlite://` URL (`sqlite://./data/relock.sqlite`) or a `redis://` URL (`redis://127.0.0.1:6379/0`). */
export type StoreOption = Keyv | string;

export async function createKeyvStore(option: StoreOption = 'memory'): Promise<Keyv> {
  if (option instanceof Keyv) {
    const ttl: unknown = option.ttl;
    if (ttl !== undefined && ttl !== 0) {
      throw new InvalidArgumentError(
        'store.ttl',
        ttl,
        "no ttl: relock's timer entries and lock records must never expire; give relock a Keyv without one",
      );
    }
    option.throwOnErrors = true;
    return option;
  }
  if (option === 'memory') {
    // plain JSON keeps each stored value one flat string (keyv's default builds a rope of many)
    return new Keyv({ throwOnErrors: true, serialize: JSON.stringify, deserialize: JSON.parse });
  }
  if (typeof option === 'string' && option.startsWith('sqlite://') && option.length > 'sqlite://'.length) {
    // loaded only when asked for: a host on Redis or memory never loads the sqlite3 binding
    const { default: KeyvSqlite } = await loadStorePackage('@keyv/sqlite', option);
    const file = option.slice('sqlite://'.length);
    const onDisk = file !== ':memory:' && !file.startsWith('file:');
    const cannotOpen = (cause: unknown): StoreError =>
      new StoreError(
        'open',
        option,
        cause,
        onDisk
          ? `check that the folder ${dirname(resolve(file))} exists or can be created, that this process may write ` +
              `there, and that ${resolve(file)} is a database file, not a folder`
          : 'check the sqlite:// URL',
      );
    if (onDisk)
      await mkdir(dirname(resolve(file)), { recursive: true }).catch((error: unknown) => {
        throw cannotOpen(error);
      });
    // opens of one file in this process take turns, from the adapter's creation on (it creates its
    // table as it is constructed): two at once can meet SQLITE_BUSY while the first creates the
    // table and switches to WAL, before the busy timeout applies
    const key = onDisk ? resolve(file) : option;
    const before = opening.get(key) ?? Promise.resolve();
    const open = before.then(async () => {
      const created = new KeyvSqlite({ uri: option, busyTimeout: 5000 });
      // a failed open is reported through the queries below; without a listener the emitter would throw it too
      created.on('error', () => {});
      await created.query('PRAGMA journal_mode=WAL');
      await created.query('PRAGMA synchronous=NORMAL');
      return created;
    });
    const settled = open.then(
      () => {},
      () => {},
    );
    opening.set(key, settled);
    let adapter: Awaited<typeof open>;
    try {
      adapter = await open;
    } catch (error) {
      throw cannotOpen(error);
    } finally {
      if (opening.get(key) === settled) opening.delete(key);
    }
    const keyv = new Keyv({ store: adapter, throwOnErrors: true, namespace: 'relock' });
    const bulk = sqliteBulk(keyv, adapter);
    batchRunners.set(keyv, bulk.batch);
    bulkReaders.set(keyv, bulk.read);
    return keyv;
  }
  if (typeof option === 'string' && option.startsWith('redis://')) {
    const { keyv, identity } = await openRedisStore(option);
    const slot = redisSlots.get(identity) ?? {};
    redisSlots.set(identity, slot);
    ownerSlots.set(keyv, slot);
    return keyv;
  }
  throw new InvalidArgumentError(
    'store',
    typeof option === 'string' ? redactStoreUrl(option) : option,
    "a Keyv instance, 'memory', a sqlite:// URL or a redis:// URL",
  );
}

/** One object per Redis server and database opened in this process, and the Keyvs opened on each. */
const redisSlots = new Map<string, object>();
const ownerSlots = new WeakMap<Keyv, object>();

/**
 * What a store relock opened on Redis is to the store owner: the same object for every Keyv
 * opened on one server and database in this process, so two systems there meet in the process
 * before they meet in Redis. Undefined for any other store.
 */
export function ownerSlotOf(store: Keyv): object | undefined {
  return ownerSlots.get(store);
}

const batchRunners = new WeakMap<Keyv, BatchRunner>();
const bulkReaders = new WeakMap<Keyv, BulkReader>();

/** The open under way of each `sqlite://` file in this process (see `createKeyvStore`). */
const opening = new Map<string, Promise<void>>();

/** How the persistence actor should run a batch on `store`: one transaction on a store relock opened on SQLite. */
export function batchRunnerOf(store: Keyv): BatchRunner | undefined {
  return batchRunners.get(store);
}

/** How the persistence actor should read many keys of `store`: one query on a store relock opened on SQLite. */
export function bulkReaderOf(store: Keyv): BulkReader | undefined {
  return bulkReaders.get(store);
}

/** One keyv call per operation: a `set` or a `delete` that says no is a failure of that operation. */
async function applyOne(store: Keyv, op: StoreOp): Promise<void> {
  if (op.kind === 'write') {
    // an adapter may say no by resolving false: that write is not durable
    if ((await store.set(op.key, op.raw)) === false) throw new Error('the store refused the write');
  }
  // a delete resolves false when the key was not there; an adapter that says no the same way
  // still holds the value, so a false is checked with a read (an entry left behind would fire again)
  else if ((await store.delete(op.key)) === false && (await store.get(op.key)) !== undefined) {
    throw new Error('the store refused the delete');
  }
}

/** The default batch runner: each operation its own keyv call, side by side; each fails alone. */
export function keyvBatch(store: Keyv): BatchRunner {
  return (ops) => ops.map((op) => applyOne(store, op));
}
