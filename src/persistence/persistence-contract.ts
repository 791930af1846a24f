/**
 * What the persistence actor promises the rest of relock, and the messages that ask it: the
 * contract lives here, below the actors and the machines that use it, so no folder imports upward.
 *
 * Invariants:
 * - a request carries a sealed reply: an inspector sees `[reply]`, never functions or values;
 * - each key answers for itself (`ReadResult`): one failing key never fails its neighbours;
 * - a batch runs operations on distinct keys; the runner says how each ended.
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

/** One store operation of a batch, run by a `BatchRunner`. */
export type StoreWork = () => Promise<void>;

/**
 * Runs a batch of store operations (on distinct keys) and says how each ended. The default runs
 * them side by side; a transactional store runs them in one transaction (all or nothing).
 */
export type BatchRunner = (works: readonly StoreWork[]) => Promise<PromiseSettledResult<void>[]>;

export const concurrentBatch: BatchRunner = (works) => Promise.allSettled(works.map((work) => work()));

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
