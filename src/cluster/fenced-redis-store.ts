/**
 * The keyv store of one cluster member: Redis, where every write of a lock's data (its timer
 * entry `timer:<id>` and its record `lock:<id>`) is fenced by the member's ownership of the lock.
 *
 * Invariants:
 * - a `set` or `delete` of a lock's key runs as one Lua script (`FENCED_SET`/`FENCED_DELETE`)
 *   that writes only while the lock's owner key holds this member's `<member>|<token>` and this
 *   member's lease key exists; a refused write throws `FencedWriteError` (a failed write to
 *   relock: retried, then dropped when the lock is released), so a process whose lease has passed
 *   changes nothing, however late its write arrives;
 * - a key of no lock (none today) is written as it is; reads are plain `GET`s;
 * - values are keyv's serialized strings, stored as they are: a plain Keyv on the same Redis
 *   (the cluster's namespace, `<prefix>data`) reads them back;
 * - `clear()` is refused: a member never wipes what other members own.
 */
import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { FENCED_DELETE, FENCED_SET } from './lease-scripts.js';

/** The few Redis commands the store uses (a node-redis v5 client has them). */
export interface RedisCommands {
  get(key: string): Promise<string | null>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Where a member finds its ownership of a lock: its owner value, and the key names. */
export interface FenceKeys {
  /** `<member>|<token>` while this member owns the lock; undefined otherwise. */
  ownerValue(lockId: string): string | undefined;
  ownKey(lockId: string): string;
  memberKey(): string;
}

export class FencedWriteError extends Error {
  constructor(
    readonly key: string,
    readonly lockId: string,
  ) {
    super(
      `write to ${key} refused: this process does not own lock ${JSON.stringify(lockId)} (its lease passed or moved)`,
    );
    this.name = 'FencedWriteError';
  }
}

/** The lock a key of relock's belongs to (`<namespace>:timer:<id>` or `<namespace>:lock:<id>`). */
export function lockOfKey(key: string, namespace: string): string | undefined {
  const rest = key.startsWith(`${namespace}:`) ? key.slice(namespace.length + 1) : key;
  for (const family of ['timer:', 'lock:']) {
    if (rest.startsWith(family)) return rest.slice(family.length);
  }
  return undefined;
}

export class FencedRedisStore extends EventEmitter implements KeyvStoreAdapter {
  opts: Record<string, unknown> = {};
  namespace?: string | undefined;
  readonly #redis: RedisCommands;
  readonly #fence: FenceKeys;

  constructor(redis: RedisCommands, fence: FenceKeys) {
    super();
    this.#redis = redis;
    this.#fence = fence;
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const value = await this.#redis.get(key);
    return (value ?? undefined) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return Promise.all(keys.map((key) => this.get<Value>(key)));
  }

  async has(key: string): Promise<boolean> {
    return (await this.#redis.get(key)) !== null;
  }

  async set(key: string, value: unknown): Promise<boolean> {
    await this.#fenced(FENCED_SET, key, [String(value)]);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    await this.#fenced(FENCED_DELETE, key, []);
    return true;
  }

  async clear(): Promise<void> {
    throw new Error('a cluster member never clears the shared store');
  }

  async #fenced(script: string, key: string, values: string[]): Promise<void> {
    const lockId = lockOfKey(key, this.namespace ?? '');
    if (lockId === undefined) throw new Error(`relock writes no key outside a lock's family: ${key}`);
    const owner = this.#fence.ownerValue(lockId);
    if (owner === undefined) throw new FencedWriteError(key, lockId);
    const done = await this.#redis.eval(script, {
      keys: [key, this.#fence.ownKey(lockId), this.#fence.memberKey()],
      arguments: [owner, ...values],
    });
    if (Number(done) !== 1) throw new FencedWriteError(key, lockId);
  }
}
