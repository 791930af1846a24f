/**
 * What the persistence actor promises the rest of relock, and the messages that ask it: the
 * contract lives here, below the actors and the machines that use it, so no folder imports upward.
 *
 * Invariants:
 * - a request carries a sealed reply: an inspector sees `[reply]`, never functions or values;
 * - each key answers for itself (`ReadResult`): one failing key never fails its neighbours;
 * - a batch is data (`StoreOp`: what to write or remove under which key), on distinct keys; its
 *   runner answers with one promise per operation, so the persistence actor bounds each and knows
 *   when each has really answered;
 * - a batch runner says how each operation ended: run one keyv call per operation (the default)
 *   and a failure fails only its own operation; run the batch as one SQL transaction and it is all
 *   or nothing: every operation that reached the transaction settles with it, all durable or all
 *   failed (a value its serializer refuses never reaches the transaction and fails alone);
 * - a bulk reader answers per key as `Keyv#get` would (the value, `undefined` when missing, an
 *   `UnparsableValueError` for a value it cannot deserialize, the store's error for that key).
 */
import type { StoreError, StoreOperation } from '../errors.js';
import type { Sealed } from './sealed.js';

/** How an asked actor answers. */
export interface Reply<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

export type SealedReply<T> = Sealed<Reply<T>>;

/** One key's answer in a `readMany`: its value, or the store's error for that key alone. */
export type ReadResult = { readonly value: unknown } | { readonly error: StoreError };

/** The requests the persistence actor takes. */
export type PersistenceEvent =
  | { type: 'persistence.write'; key: string; value: Sealed<unknown>; reply: SealedReply<void> }
  | { type: 'persistence.remove'; key: string; reply: SealedReply<void> }
  | { type: 'persistence.read'; key: string; reply: SealedReply<unknown> }
  | { type: 'persistence.readMany'; keys: readonly string[]; reply: SealedReply<ReadResult[]> }
  | { type: 'persistence.flush'; reply: SealedReply<void> };

export interface StoreFailure {
  readonly key: string;
  readonly operation: StoreOperation;
  readonly error: StoreError;
}

/** One store operation of a batch, as data: `raw` is the value before the store serializes it. */
export type StoreOp =
  | { readonly kind: 'write'; readonly key: string; readonly raw: unknown }
  | { readonly kind: 'remove'; readonly key: string };

/**
 * Runs a batch of store operations (on distinct keys). It answers at once with one promise per
 * operation, in order, each fulfilled when its operation is durable or rejected when it failed.
 * Operations that settle together may share one promise (one transaction: one timeout to bound).
 * The default (`keyvBatch`) runs one keyv call per operation side by side; a `sqlite://` store
 * relock opened runs the batch as one transaction (all or nothing).
 */
export type BatchRunner = (ops: readonly StoreOp[]) => ReadonlyArray<Promise<void>>;

/**
 * Reads several keys in one go and answers per key, in order, as `Keyv#get` would: fulfilled with
 * the value (`undefined` when missing), rejected with an `UnparsableValueError` for a value that
 * cannot be deserialized, or with the store's error for that key.
 */
export type BulkReader = (keys: readonly string[]) => Promise<PromiseSettledResult<unknown>[]>;

/** The promise-returning face of the persistence actor, used by the stores and the actors. */
export interface Persistence {
  write(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
  read(key: string): Promise<unknown>;
  /** Reads several keys in one ask; each key answers for itself. */
  readMany(keys: readonly string[]): Promise<ReadResult[]>;
  /** Resolves when every operation asked so far is durable (or has failed). */
  flush(): Promise<void>;
}
