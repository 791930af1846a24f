/**
 * The persistence actor: the only writer of the keyv store.
 *
 * Invariants:
 * - per key, operations apply in the order they were asked; a key has at most one operation in
 *   flight, so a write never overtakes a later remove or the reverse, even when the store answers
 *   out of order;
 * - operations on distinct keys travel in batches, one batch at a time; on a transactional store
 *   a batch is one transaction, so 10,000 timer writes cost a few commits, not 10,000;
 * - queued writes and removes of one key coalesce to the latest; every asker is answered when
 *   the operation that superseded theirs is durable;
 * - a read of a key with a queued or in-flight operation answers with what will be on disk
 *   (read-your-writes); other reads go to the store, which must throw on errors; a value the
 *   store holds but cannot deserialize is answered as an `UnparsableValue`, never as a failure;
 * - a store failure is reported (key, operation, cause) and rejects only its askers; the queue
 *   goes on, it never wedges; a `set` that resolves `false` is a failure, and so is a `delete`
 *   that resolves `false` while the key can still be read (one that found nothing is not);
 * - every store call (get, set, delete) and every batch is bounded by `storeTimeoutMs` on the
 *   injected clock: one that has not answered by then is a failure like any other (reported, its
 *   askers rejected), so a hanging store never wedges the queue, `flush()` or a read;
 * - a key whose call timed out may still be written by it later, so it takes no operation (its
 *   queued and new askers fail at once, and so does a read of it) until that call, and the batch
 *   that made it, have really answered: a late write never overtakes a later one; other keys go
 *   on in the next batch;
 * - once the actor has stopped, none of its timeouts is left on the clock;
 * - values travel sealed, so an inspector never sees what is written (lock records hold PINs).
 */
import type Keyv from 'keyv';
import { type ActorRefFrom, fromCallback } from 'xstate';
import type { Clock, TimerHandle } from '../clock/clock.js';
import { StoreError, type StoreOperation } from '../errors.js';
import {
  type BatchRunner,
  concurrentBatch,
  type Persistence,
  type PersistenceEvent,
  type ReadResult,
  type Reply,
  type SealedReply,
  type StoreFailure,
  type StoreWork,
} from '../persistence/persistence-contract.js';
import { type Sealed, seal } from '../persistence/sealed.js';
import { markUnparsableValues, UnparsableValue, UnparsableValueError } from '../persistence/unparsable-value.js';
import { ask } from './ask.js';

export interface PersistenceOptions {
  /** A Keyv created with `throwOnErrors: true` (see `createKeyvStore`). */
  readonly store: Keyv;
  /** The clock the store-call timeouts run on (the system's clock). */
  readonly clock: Clock;
  readonly onStoreError: (failure: StoreFailure) => void;
  /** How long a store call (get, set, delete) or a batch may take before it counts as failed (default 10 s). */
  readonly storeTimeoutMs?: number;
  /** Most operations in one batch (default 512). */
  readonly batchSize?: number;
  /** How a batch runs (default: side by side; `sqlite://` stores: one transaction). */
  readonly batch?: BatchRunner;
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

const noop = (): void => {};

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
  const runBatch = options.batch ?? concurrentBatch;
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

    const apply = async (key: string, mutation: Mutation): Promise<void> => {
      if (mutation.kind === 'write') {
        // an adapter may say no by resolving false: that write is not durable
        if ((await options.store.set(key, mutation.raw)) === false) throw new Error('the store refused the write');
      }
      // a delete resolves false when the key was not there; an adapter that says no the same way
      // still holds the value, so a false is checked with a read (an entry left behind would fire again)
      else if ((await options.store.delete(key)) === false && (await options.store.get(key)) !== undefined) {
        throw new Error('the store refused the delete');
      }
    };

    /** The store call of one flight, bounded; `started` and `answered` follow the real call. */
    const work =
      (flight: Flight): StoreWork =>
      () => {
        const call = apply(flight.key, flight.batch.mutation);
        const answered = (): void => {
          flight.answered = true;
        };
        // registered before the bound, so `answered` is true when the bounded work settles
        flight.call = call.then(answered, answered);
        return bounded(call);
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

    const land = (flight: Flight, outcome: PromiseSettledResult<void>, batchLanded: Promise<void> | null): void => {
      const { key, queue, batch } = flight;
      queue.inFlight = undefined;
      // a call that has not answered (or a batch that may still make it) can land later
      const landed =
        batchLanded !== null
          ? batchLanded.then(() => flight.call)
          : flight.call !== undefined && !flight.answered
            ? flight.call
            : null;
      if (outcome.status === 'fulfilled') {
        if (queue.pending !== undefined) ready.add(key);
        else queues.delete(key);
        for (const reply of batch.replies) reply.resolve();
        return;
      }
      const error = fail(batch.mutation.kind, key, outcome.reason);
      for (const reply of batch.replies) reply.reject(error);
      if (landed !== null) holdUntil(key, queue, landed);
      else if (queue.pending !== undefined) ready.add(key);
      else queues.delete(key);
    };

    /** Applies ready operations, one batch at a time, until none is left. */
    const drain = async (): Promise<void> => {
      draining = true;
      while (ready.size > 0 && !stopped) {
        const flights = take();
        const run = Promise.resolve().then(() => runBatch(flights.map(work)));
        let outcomes: PromiseSettledResult<void>[];
        let batchLanded: Promise<void> | null = null;
        try {
          outcomes = await bounded(run);
        } catch (error) {
          outcomes = flights.map(() => ({ status: 'rejected', reason: error }));
          // a batch that did not answer may still run its calls: its keys wait for it
          if (error instanceof StoreTimeout) batchLanded = run.then(noop, noop);
        }
        for (const [i, flight] of flights.entries()) {
          land(
            flight,
            outcomes[i] ?? { status: 'rejected', reason: new Error('the batch gave no outcome') },
            batchLanded,
          );
        }
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

    const read = (key: string): Promise<unknown> => {
      if (unsettled.has(key)) {
        return Promise.reject(fail('read', key, new Error('an earlier store call of this key has not returned')));
      }
      const queue = queues.get(key);
      const latest = queue?.pending?.mutation ?? queue?.inFlight?.mutation;
      if (latest !== undefined) return Promise.resolve(latest.kind === 'write' ? latest.raw : undefined);
      // one get per key: keyv's getMany turns a failed get into `undefined` on Map-like stores
      return bounded(options.store.get(key)).catch((cause: unknown) => {
        // the store answered, with a value that cannot be deserialized: corrupt, not a failed read
        if (cause instanceof UnparsableValueError) return new UnparsableValue(cause.reason);
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
