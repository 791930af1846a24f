/**
 * The persistence actor: the only writer of the keyv store.
 *
 * Invariants:
 * - per key, operations apply in the order they were asked; a key has at most one operation in
 *   flight, so a write never overtakes a later remove or the reverse, even when the store answers
 *   out of order;
 * - operations on distinct keys travel in batches, one batch at a time, handed to the batch runner
 *   as data (`StoreOp`); on a `sqlite://` store relock opened a batch is one transaction of one
 *   multi-row upsert and one multi-key delete, so 10,000 timer writes cost a few commits, not
 *   10,000, and it is all or nothing (every operation of a failed transaction is failed and
 *   reported; its askers retry as after any failure); elsewhere each operation is its own keyv
 *   call and fails alone;
 * - queued writes and removes of one key coalesce to the latest; every asker is answered when
 *   the operation that superseded theirs is durable;
 * - a read of a key with a queued or in-flight operation answers with what will be on disk
 *   (read-your-writes); other reads go to the store, which must throw on errors; a value the
 *   store holds but cannot deserialize is answered as an `UnparsableValue`, never as a failure;
 * - a `readMany` answers each key as a `read` of it would; the keys it sends to the store go in
 *   one bulk read where the store has one (a `sqlite://` store relock opened: one query), else
 *   one `get` per key (keyv's `getMany` turns a failed get into `undefined` on Map-like stores);
 * - a store failure is reported (key, operation, cause) and rejects only its askers; the queue
 *   goes on, it never wedges; a `set` that resolves `false` is a failure, and so is a `delete`
 *   that resolves `false` while the key can still be read (one that found nothing is not);
 * - every store call (get, set, delete, an operation of a batch, a bulk read) is bounded by
 *   `storeTimeoutMs` on the injected clock (operations of a batch that share one promise share
 *   one bound): one that has not answered by then is a failure like any other (reported, its
 *   askers rejected), so a hanging store never wedges the queue, `flush()` or a read;
 * - a key whose operation timed out may still be written by it later, so it takes no operation
 *   (its queued and new askers fail at once, and so does a read of it) until that operation has
 *   really answered: a late write never overtakes a later one; other keys go on in the next batch;
 * - once the actor has stopped, none of its timeouts is left on the clock;
 * - values travel sealed, so an inspector never sees what is written (lock records hold PINs).
 */
import type Keyv from 'keyv';
import { type ActorRefFrom, fromCallback } from 'xstate';
import type { Clock, TimerHandle } from '../clock/clock.js';
import { StoreError, type StoreOperation } from '../errors.js';
import { batchRunnerOf, bulkReaderOf, keyvBatch } from '../persistence/keyv-store.js';
import type {
  BatchRunner,
  BulkReader,
  Persistence,
  PersistenceEvent,
  ReadResult,
  Reply,
  SealedReply,
  StoreFailure,
  StoreOp,
} from '../persistence/persistence-contract.js';
import { seal } from '../persistence/sealed.js';
import { markUnparsableValues, UnparsableValue, UnparsableValueError } from '../persistence/unparsable-value.js';
import { ask } from './ask.js';

export interface PersistenceOptions {
  /** A Keyv created with `throwOnErrors: true` (see `createKeyvStore`). */
  readonly store: Keyv;
  /** The clock the store-call timeouts run on (the system's clock). */
  readonly clock: Clock;
  readonly onStoreError: (failure: StoreFailure) => void;
  /** How long a store call (get, set, delete, an operation of a batch, a bulk read) may take before it counts as failed (default 10 s). */
  readonly storeTimeoutMs?: number;
  /** Most operations in one batch (default 512). */
  readonly batchSize?: number;
  /** How a batch runs (default: `batchRunnerOf(store)`, one transaction on a `sqlite://` store relock opened, else `keyvBatch`). */
  readonly batch?: BatchRunner | undefined;
  /** How a `readMany` reads the store (default: `bulkReaderOf(store)`, one query on a `sqlite://` store relock opened, else one `get` per key). */
  readonly bulkRead?: BulkReader | undefined;
}

/** The default bound of one store call or batch. */
export const DEFAULT_STORE_TIMEOUT_MS = 10_000;

type Mutation = { readonly kind: 'write'; readonly raw: unknown } | { readonly kind: 'remove' };

interface Batch {
  mutation: Mutation;
  readonly replies: Reply<void>[];
}

interface KeyQueue {
  inFlight?: Batch;
  pending?: Batch;
}

interface Flight {
  readonly key: string;
  readonly queue: KeyQueue;
  readonly batch: Batch;
  /** Settles when the store call has answered, in time or not; unset until the call is made. */
  call?: Promise<void>;
  /** The store call has answered. */
  answered: boolean;
}

/** A store call or batch that did not answer in time: it may still land later. */
class StoreTimeout extends Error {
  constructor(ms: number) {
    super(`the store did not answer within ${ms} ms`);
    this.name = 'StoreTimeout';
  }
}

/** Builds the persistence actor logic bound to one store. */
export function createPersistenceLogic(options: PersistenceOptions) {
  const batchSize = options.batchSize ?? 512;
  const runBatch = options.batch ?? batchRunnerOf(options.store) ?? keyvBatch(options.store);
  const bulkRead = options.bulkRead ?? bulkReaderOf(options.store);
  const { clock } = options;
  const timeoutMs = options.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  markUnparsableValues(options.store);
  return fromCallback<PersistenceEvent>(({ receive }) => {
    const queues = new Map<string, KeyQueue>();
    // keys with a queued operation and none in flight, in the order they became ready
    const ready = new Set<string>();
    // keys whose last call timed out and may still land: they take no operation until it has
    const unsettled = new Set<string>();
    const timeouts = new Set<TimerHandle>();
    let draining = false;
    let stopped = false;
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

    /** `work`, or a `StoreTimeout` once `timeoutMs` has passed on the clock without an answer. */
    const bounded = <T>(work: Promise<T>): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const handle = clock.setTimeout(() => {
          timeouts.delete(handle);
          reject(new StoreTimeout(timeoutMs));
        }, timeoutMs);
        timeouts.add(handle);
        const done = (): void => {
          clock.clearTimeout(handle);
          timeouts.delete(handle);
        };
        work.then(
          (value) => {
            done();
            resolve(value);
          },
          (error: unknown) => {
            done();
            reject(error);
          },
        );
      });

    const settleFlushes = (): void => {
      if (draining || queues.size > 0 || flushes.length === 0) return;
      const done = flushes;
      flushes = [];
      for (const reply of done) reply.resolve();
    };

    const kick = (): void => {
      // a batch starts on the next turn, so operations asked together travel together
      if (!draining && !stopped) {
        draining = true;
        queueMicrotask(() => void drain());
      }
    };

    const opOf = ({ key, batch: { mutation } }: Flight): StoreOp =>
      mutation.kind === 'write' ? { kind: 'write', key, raw: mutation.raw } : { kind: 'remove', key };

    /** Runs a batch: one bounded promise per flight; flights that share a call share its bound. */
    const run = (flights: readonly Flight[]): Promise<PromiseSettledResult<void>[]> => {
      let calls: ReadonlyArray<Promise<void>>;
      try {
        calls = runBatch(flights.map(opOf));
      } catch (error) {
        calls = flights.map(() => Promise.reject(error));
      }
      const bounds = new Map<Promise<void>, Promise<void>>();
      return Promise.allSettled(
        flights.map((flight, i) => {
          const call = calls[i] ?? Promise.reject(new Error('the batch gave no outcome'));
          const answered = (): void => {
            flight.answered = true;
          };
          // registered before the bound, so `answered` is true when the bounded call settles
          flight.call = call.then(answered, answered);
          let bound = bounds.get(call);
          if (bound === undefined) {
            bound = bounded(call);
            bounds.set(call, bound);
          }
          return bound;
        }),
      );
    };

    const take = (): Flight[] => {
      const flights: Flight[] = [];
      for (const key of ready) {
        if (flights.length >= batchSize) break;
        ready.delete(key);
        const queue = queues.get(key);
        if (queue?.pending === undefined) continue;
        flights.push({ key, queue, batch: queue.pending, answered: false });
        queue.inFlight = queue.pending;
        queue.pending = undefined;
      }
      return flights;
    };

    /** A key whose call may still land takes nothing until `landed`: its queued askers fail now. */
    const holdUntil = (key: string, queue: KeyQueue, landed: Promise<unknown>): void => {
      queues.delete(key);
      unsettled.add(key);
      const waiting = queue.pending;
      if (waiting !== undefined) {
        const error = fail(waiting.mutation.kind, key, new Error('an earlier store call of this key has not returned'));
        for (const reply of waiting.replies) reply.reject(error);
      }
      const release = (): void => {
        unsettled.delete(key);
      };
      landed.then(release, release);
    };

    const land = (flight: Flight, outcome: PromiseSettledResult<void>): void => {
      const { key, queue, batch } = flight;
      queue.inFlight = undefined;
      if (outcome.status === 'fulfilled') {
        if (queue.pending !== undefined) ready.add(key);
        else queues.delete(key);
        for (const reply of batch.replies) reply.resolve();
        return;
      }
      const error = fail(batch.mutation.kind, key, outcome.reason);
      for (const reply of batch.replies) reply.reject(error);
      // a call that has not answered (it timed out) can still land later
      if (flight.call !== undefined && !flight.answered) holdUntil(key, queue, flight.call);
      else if (queue.pending !== undefined) ready.add(key);
      else queues.delete(key);
    };

    /** Applies ready operations, one batch at a time, until none is left. */
    const drain = async (): Promise<void> => {
      draining = true;
      while (ready.size > 0 && !stopped) {
        const flights = take();
        const outcomes = await run(flights);
        for (const [i, flight] of flights.entries()) land(flight, outcomes[i] as PromiseSettledResult<void>);
      }
      draining = false;
      settleFlushes();
    };

    const enqueue = (key: string, mutation: Mutation, reply: Reply<void>): void => {
      if (unsettled.has(key)) {
        reply.reject(fail(mutation.kind, key, new Error('an earlier store call of this key has not returned')));
        return;
      }
      let queue = queues.get(key);
      if (queue === undefined) {
        queue = {};
        queues.set(key, queue);
      }
      if (queue.pending === undefined) queue.pending = { mutation, replies: [reply] };
      else {
        queue.pending.mutation = mutation;
        queue.pending.replies.push(reply);
      }
      if (queue.inFlight === undefined) ready.add(key);
      kick();
    };

    const held = (key: string): StoreError =>
      fail('read', key, new Error('an earlier store call of this key has not returned'));

    /** What a read of `key` answers without the store, if anything: a queued write or remove, or a held key. */
    const known = (key: string): { value: unknown } | { error: StoreError } | undefined => {
      if (unsettled.has(key)) return { error: held(key) };
      const queue = queues.get(key);
      const latest = queue?.pending?.mutation ?? queue?.inFlight?.mutation;
      if (latest === undefined) return undefined;
      return { value: latest.kind === 'write' ? latest.raw : undefined };
    };

    /** A value the store answered with, or the reason it could not: unparsable is an answer, not a failure. */
    const answerOf = (key: string, outcome: PromiseSettledResult<unknown>): ReadResult => {
      if (outcome.status === 'fulfilled') return { value: outcome.value };
      // the store answered, with a value that cannot be deserialized: corrupt, not a failed read
      if (outcome.reason instanceof UnparsableValueError) return { value: new UnparsableValue(outcome.reason.reason) };
      return { error: fail('read', key, outcome.reason) };
    };

    const fromStore = (key: string): Promise<ReadResult> =>
      bounded(options.store.get(key)).then(
        (value): ReadResult => ({ value }),
        (reason: unknown) => answerOf(key, { status: 'rejected', reason }),
      );

    const read = async (key: string): Promise<unknown> => {
      const result = known(key) ?? (await fromStore(key));
      if ('error' in result) throw result.error;
      return result.value;
    };

    const readMany = async (keys: readonly string[]): Promise<ReadResult[]> => {
      const results: ReadResult[] = [];
      const asked: number[] = [];
      for (const [i, key] of keys.entries()) {
        const result = known(key);
        if (result === undefined) asked.push(i);
        else results[i] = result;
      }
      if (bulkRead === undefined || asked.length < 2) {
        await Promise.all(
          asked.map(async (i) => {
            results[i] = await fromStore(keys[i] as string);
          }),
        );
        return results;
      }
      const askedKeys = asked.map((i) => keys[i] as string);
      let outcomes: PromiseSettledResult<unknown>[];
      try {
        outcomes = await bounded(Promise.resolve().then(() => bulkRead(askedKeys)));
      } catch (reason) {
        outcomes = askedKeys.map(() => ({ status: 'rejected', reason }));
      }
      for (const [n, i] of asked.entries()) {
        results[i] = answerOf(
          askedKeys[n] as string,
          outcomes[n] ?? { status: 'rejected', reason: new Error('the bulk read gave no answer') },
        );
      }
      return results;
    };

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

    return () => {
      // nothing of this actor stays on the clock once it is stopped
      stopped = true;
      for (const handle of timeouts) clock.clearTimeout(handle);
      timeouts.clear();
    };
  });
}

export type PersistenceActorRef = ActorRefFrom<ReturnType<typeof createPersistenceLogic>>;

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
