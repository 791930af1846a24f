/**
 * The persistence actor: the only writer of the keyv store.
 *
 * Invariants:
 * - per key, operations apply in the order they were asked; a key has at most one operation in
 *   flight, so a write never overtakes a later remove or the reverse, even when the store answers
 *   out of order;
 * - queued writes and removes of one key coalesce to the latest; every asker is answered when
 *   the operation that superseded theirs is durable;
 * - a read of a key with a queued or in-flight operation answers with what will be on disk
 *   (read-your-writes); other reads go to the store, which must throw on errors;
 * - a store failure is reported (key, operation, cause) and rejects only its askers; the queue
 *   goes on, it never wedges;
 * - values travel sealed, so an inspector never sees what is written (lock records hold PINs).
 */
import type Keyv from 'keyv';
import { type ActorRefFrom, fromCallback } from 'xstate';
import { StoreError, type StoreOperation } from '../errors.js';
import { type Sealed, seal } from '../persistence/sealed.js';
import { ask, type Reply, type SealedReply } from './ask.js';

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

export interface PersistenceOptions {
  /** A Keyv created with `throwOnErrors: true` (see `createKeyvStore`). */
  readonly store: Keyv;
  readonly onStoreError: (failure: StoreFailure) => void;
  /** Most store operations in flight at once, across keys. */
  readonly concurrency?: number;
}

/** One key's answer in a `readMany`: its value, or the store's error for that key alone. */
export type ReadResult = { readonly value: unknown } | { readonly error: StoreError };

type Mutation = { readonly kind: 'write'; readonly raw: unknown } | { readonly kind: 'remove' };

interface Batch {
  mutation: Mutation;
  readonly replies: Reply<void>[];
}

interface KeyQueue {
  inFlight?: Batch;
  pending?: Batch;
  waiting: boolean;
}

/** Builds the persistence actor logic bound to one store. */
export function createPersistenceLogic(options: PersistenceOptions) {
  const limit = options.concurrency ?? 64;
  return fromCallback<PersistenceEvent>(({ receive }) => {
    const queues = new Map<string, KeyQueue>();
    // keys waiting for a free slot; a head index keeps dequeuing O(1) at any queue length
    let ready: string[] = [];
    let head = 0;
    let active = 0;
    let flushes: Reply<void>[] = [];

    const fail = (operation: StoreOperation, key: string, cause: unknown): StoreError => {
      const error = cause instanceof StoreError ? cause : new StoreError(operation, key, cause);
      try {
        options.onStoreError({ key, operation, error });
      } catch {
        // reporting must not wedge the queue
      }
      return error;
    };

    const settleFlushes = (): void => {
      if (active > 0 || queues.size > 0 || flushes.length === 0) return;
      const done = flushes;
      flushes = [];
      for (const reply of done) reply.resolve();
    };

    const apply = async (key: string, mutation: Mutation): Promise<void> => {
      if (mutation.kind === 'write') await options.store.set(key, mutation.raw);
      else await options.store.delete(key);
    };

    const start = (key: string, queue: KeyQueue): void => {
      const batch = queue.pending;
      if (batch === undefined) return;
      queue.pending = undefined;
      queue.inFlight = batch;
      active++;
      const finish = (): void => {
        active--;
        queue.inFlight = undefined;
        if (queue.pending !== undefined) schedule(key, queue);
        else queues.delete(key);
        pump();
      };
      apply(key, batch.mutation).then(
        () => {
          finish();
          for (const reply of batch.replies) reply.resolve();
          settleFlushes();
        },
        (cause: unknown) => {
          finish();
          const error = fail(batch.mutation.kind, key, cause);
          for (const reply of batch.replies) reply.reject(error);
          settleFlushes();
        },
      );
    };

    const schedule = (key: string, queue: KeyQueue): void => {
      if (active < limit) start(key, queue);
      else if (!queue.waiting) {
        queue.waiting = true;
        ready.push(key);
      }
    };

    const pump = (): void => {
      while (active < limit && head < ready.length) {
        const key = ready[head++];
        if (head === ready.length) {
          ready = [];
          head = 0;
        }
        const queue = queues.get(key);
        if (queue === undefined) continue;
        queue.waiting = false;
        if (queue.inFlight === undefined) start(key, queue);
      }
    };

    const enqueue = (key: string, mutation: Mutation, reply: Reply<void>): void => {
      let queue = queues.get(key);
      if (queue === undefined) {
        queue = { waiting: false };
        queues.set(key, queue);
      }
      if (queue.pending === undefined) queue.pending = { mutation, replies: [reply] };
      else {
        queue.pending.mutation = mutation;
        queue.pending.replies.push(reply);
      }
      if (queue.inFlight === undefined) schedule(key, queue);
    };

    const read = (key: string): Promise<unknown> => {
      const queue = queues.get(key);
      const latest = queue?.pending?.mutation ?? queue?.inFlight?.mutation;
      if (latest !== undefined) return Promise.resolve(latest.kind === 'write' ? latest.raw : undefined);
      // one get per key: keyv's getMany turns a failed get into `undefined` on Map-like stores
      return options.store.get(key).catch((cause: unknown) => {
        throw fail('read', key, cause);
      });
    };

    const readMany = (keys: readonly string[]): Promise<ReadResult[]> =>
      Promise.all(
        keys.map((key) =>
          read(key).then(
            (value): ReadResult => ({ value }),
            (error: StoreError): ReadResult => ({ error }),
          ),
        ),
      );

    receive((event) => {
      switch (event.type) {
        case 'persistence.write':
          enqueue(event.key, { kind: 'write', raw: event.value.unseal() }, event.reply.unseal());
          break;
        case 'persistence.remove':
          enqueue(event.key, { kind: 'remove' }, event.reply.unseal());
          break;
        case 'persistence.read': {
          const reply = event.reply.unseal();
          read(event.key).then(reply.resolve, reply.reject);
          break;
        }
        case 'persistence.readMany': {
          const reply = event.reply.unseal();
          readMany(event.keys).then(reply.resolve, reply.reject);
          break;
        }
        case 'persistence.flush':
          flushes.push(event.reply.unseal());
          settleFlushes();
          break;
      }
    });
  });
}

export type PersistenceActorRef = ActorRefFrom<ReturnType<typeof createPersistenceLogic>>;

/** The promise-returning face of the persistence actor, used by the other actors. */
export interface Persistence {
  write(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
  read(key: string): Promise<unknown>;
  /** Reads several keys in one ask; each key answers for itself. */
  readMany(keys: readonly string[]): Promise<ReadResult[]>;
  /** Resolves when every operation asked so far is durable (or has failed). */
  flush(): Promise<void>;
}

/** Wraps a persistence actor ref in the `Persistence` interface. */
export function persistenceClient(ref: PersistenceActorRef): Persistence {
  const who = 'The persistence actor';
  return {
    write: (key, value) =>
      ask(ref, who, (reply: SealedReply<void>) => ({
        type: 'persistence.write',
        key,
        value: seal(value, 'value'),
        reply,
      })),
    remove: (key) => ask(ref, who, (reply: SealedReply<void>) => ({ type: 'persistence.remove', key, reply })),
    read: (key) => ask(ref, who, (reply: SealedReply<unknown>) => ({ type: 'persistence.read', key, reply })),
    readMany: (keys) =>
      ask(ref, who, (reply: SealedReply<ReadResult[]>) => ({ type: 'persistence.readMany', keys, reply })),
    flush: () => ask(ref, who, (reply: SealedReply<void>) => ({ type: 'persistence.flush', reply })),
  };
}
