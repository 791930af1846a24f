/**
 * What every workload of the bench shares: stores that count their operations, lock ids and
 * configs, a timer, percentiles and the printed table.
 *
 * The `redis` store kind is for `bench:cluster` (`cluster.ts`), which starts its own redis-server
 * and calls `useRedis(url)` first; `npm run bench` never loads a Redis client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type Keyv from 'keyv';
import { createKeyvStore } from '../src/persistence/keyv-store.js';

export type StoreKind = 'memory' | 'sqlite' | 'redis';
export const SIDES = ['baseline', 'floor', 'relock'] as const;
export type SideName = (typeof SIDES)[number];

/**
 * Store operations: keyv calls, on SQLite the SQL statements that reached the database, and on
 * Redis the commands this process sent (`redis`, present only on a Redis store).
 */
export interface Ops {
  readonly keyv: number;
  readonly sql: number;
  readonly redis?: number;
}

export interface CountedStore {
  readonly kind: StoreKind;
  readonly store: Keyv;
  /** Operations so far. */
  ops(): Ops;
  /** Closes the store (and its file). */
  close(): Promise<void>;
}

let dir: string | undefined;
let fileNo = 0;

/** A fresh file name in the bench's temporary folder (removed by `cleanUp`). */
export function tempFile(label: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'relock-bench-'));
  return join(dir, `${label}-${fileNo++}.sqlite`);
}

export function cleanUp(): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

/**
 * SQL statements, counted where they enter the sqlite3 driver (`Database#all`, `run`, `get`,
 * `each`, `map`, `exec`, `prepare`, each call one), patched before any store opens: whatever path
 * a statement takes (keyv's adapter, relock's bulk SQL, a transaction's BEGIN and COMMIT), it is
 * counted. One counter for the process: the bench runs one side at a time and counts differences.
 */
let sqlStatements = 0;
{
  const sqlite3 = createRequire(import.meta.url)('sqlite3') as { Database: { prototype: Record<string, unknown> } };
  for (const method of ['all', 'run', 'get', 'each', 'map', 'exec', 'prepare']) {
    const original = sqlite3.Database.prototype[method];
    if (typeof original !== 'function') continue;
    sqlite3.Database.prototype[method] = function (this: unknown, ...args: unknown[]) {
      sqlStatements++;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
}

const KEYV_METHODS = ['get', 'getMany', 'set', 'setMany', 'delete', 'deleteMany', 'has', 'clear'] as const;

/**
 * Opens a store as relock would (`createKeyvStore`: in-memory JSON Keyv, or @keyv/sqlite in WAL
 * mode with `synchronous=NORMAL`) and counts what is asked of it: keyv calls on this Keyv, and
 * on SQLite the statements that reach the driver (see `sqlStatements`), so bulk SQL that bypasses
 * keyv's methods is counted too.
 */
export async function openStore(kind: StoreKind, file?: string): Promise<CountedStore> {
  if (kind === 'redis') return openRedisStore();
  const store = await createKeyvStore(kind === 'memory' ? 'memory' : `sqlite://${file ?? tempFile('s')}`);
  return counting(kind, store);
}

/** Counts the keyv calls made on `store` (see `openStore`). */
function counting(kind: StoreKind, store: Keyv): CountedStore {
  let keyv = 0;
  const target = store as unknown as Record<string, unknown>;
  for (const method of KEYV_METHODS) {
    const original = target[method];
    if (typeof original !== 'function') continue;
    const bound = (original as (...args: unknown[]) => unknown).bind(store);
    target[method] = (...args: unknown[]) => {
      keyv++;
      return bound(...args);
    };
  }
  return {
    kind,
    store,
    ops: () =>
      kind === 'redis' ? { keyv, sql: 0, redis: redisCommands } : { keyv, sql: kind === 'sqlite' ? sqlStatements : 0 },
    close: async () => {
      if (kind !== 'memory') await store.disconnect();
    },
  };
}

/** What a node-redis client makes of a URL (the part of it the bench uses). */
interface AdminClient {
  connect(): Promise<unknown>;
  flushDb(): Promise<unknown>;
  destroy(): void;
  on(event: 'error', listener: () => void): unknown;
}

let redisUrl: string | undefined;
let admin: AdminClient | undefined;
/** Redis commands sent by every client of this process, counted where node-redis queues them. */
let redisCommands = 0;

/**
 * Points the `redis` store kind at a server (`redis://127.0.0.1:<port>`, one the bench started
 * and owns: every `openStore('redis')` empties its database). Counts from now on every command a
 * node-redis client of this process queues (`RedisCommandsQueue#addCommand`: each command of a
 * pipeline or a MULTI is one), so the relock side, which sends Lua scripts and owner renewals
 * through its own client, is counted like the others.
 */
export async function useRedis(url: string): Promise<void> {
  const require = createRequire(import.meta.url);
  const queue = require('@redis/client/dist/lib/client/commands-queue.js') as {
    default: { prototype: Record<string, unknown> };
  };
  const original = queue.default.prototype.addCommand;
  if (typeof original === 'function' && redisUrl === undefined) {
    queue.default.prototype.addCommand = function (this: unknown, ...args: unknown[]) {
      redisCommands++;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  const { createClient } = (await import('@keyv/redis')) as unknown as {
    createClient(o: { url: string }): AdminClient;
  };
  admin?.destroy();
  admin = createClient({ url });
  admin.on('error', () => {});
  await admin.connect();
  redisUrl = url;
}

/** Closes the bench's own Redis connection (`useRedis`). */
export function closeRedis(): void {
  admin?.destroy();
  admin = undefined;
}

/** A fresh (emptied) Redis database opened as relock opens `store: 'redis://…'`, its keyv calls counted. */
async function openRedisStore(): Promise<CountedStore> {
  if (redisUrl === undefined || admin === undefined) throw new Error('bench: useRedis(url) before a redis store');
  await admin.flushDb();
  return counting('redis', await createKeyvStore(redisUrl));
}

/** Runs `work` in one SQLite transaction on a store `openStore` opened (used to seed quickly). */
export async function inTransaction(counted: CountedStore, work: () => Promise<unknown>): Promise<void> {
  const adapter = counted.store.store as { query?: (sql: string) => Promise<unknown> };
  if (counted.kind !== 'sqlite' || adapter.query === undefined) {
    await work();
    return;
  }
  await adapter.query('BEGIN IMMEDIATE');
  try {
    await work();
    await adapter.query('COMMIT');
  } catch (error) {
    await adapter.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

export const opsSince = (before: Ops, after: Ops): Ops => ({
  keyv: after.keyv - before.keyv,
  sql: after.sql - before.sql,
  ...(after.redis === undefined ? {} : { redis: after.redis - (before.redis ?? 0) }),
});

export const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `lock-${i}`);

/** The config a host gives each lock: autolock on, 60 minutes by day (the default is always day). */
export const configOf = (id: string) => ({ id, name: id, autolock: { enabled: true, dayMinutes: 60 } });

export const now = (): number => performance.timeOrigin + performance.now();

/**
 * The timed parts so far, on the clock of a V8 CPU profile (CLOCK_MONOTONIC, µs), so a profile of
 * the whole process (`node --cpu-prof`) can be cut to one part (`profile.ts --window <label>`).
 */
export const windows: Array<{ label: string; startUs: number; endUs: number }> = [];
const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** Milliseconds `work` takes; with a `label`, its window is kept in `windows`. */
export async function time(work: () => Promise<unknown>, label?: string): Promise<number> {
  const startUs = monotonicUs();
  const start = performance.now();
  await work();
  const ms = performance.now() - start;
  if (label !== undefined) windows.push({ label, startUs, endUs: monotonicUs() });
  return ms;
}

/** A full collection when node runs with --expose-gc; nothing otherwise. */
export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits until `done()` holds, looking every `everyMs`; throws after `timeoutMs`. */
export async function until(done: () => boolean, what: string, timeoutMs: number, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(everyMs);
  }
}

export function percentiles(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** A number for the table: thousands separated, `digits` decimals. */
export function fmt(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Prints rows as an aligned text table. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (cell ?? '').padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}
