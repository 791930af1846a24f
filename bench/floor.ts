/**
 * The XState floor: the smallest honest statechart per lock, measured beside relock in the same
 * run, so a reader sees what the actor model itself costs and what is relock's own.
 *
 * Per lock, one actor created from `setup().createMachine` (no spawn, no invoked actors), in one
 * actor system with a root and one shared persistence-like actor:
 *
 *   idle ──START──▶ arming ──STORE_DONE──▶ active ──after(deadline)──▶ firing ─▶ removing ──STORE_DONE──▶ idle
 *                      │ CANCEL                │ CANCEL / START (re-arm)                       ▲
 *                      ▼                       └───────────────────────────────────────────────┘
 *                  cancelling ──STORE_DONE (the write landed)──▶ removing
 *
 * - the deadline is a delayed event (`after`), its delay `endsAt − now`, so a recovered entry
 *   fires at its stored instant;
 * - every store write or removal is an event sent to the shared store actor with a sequence
 *   number and the sender; the store actor makes one keyv call (as the bare baseline does) and
 *   replies `STORE_DONE` or `STORE_FAILED`; a reply to an older request is ignored, a failure is
 *   asked again;
 * - a lock has at most one request in flight (the states see to it), so a removal never
 *   overtakes the write before it: the one ordering guarantee the bare baseline lacks;
 * - recovery reads the lock record and the timer entry of each lock with one keyv call each,
 *   decodes them with relock's codecs, and creates the actor straight into `active` (one
 *   eventless step) with the stored deadline and lock state; nothing is written;
 * - what it does not have, and relock does: lock records written on every change, a write
 *   queue with per-key order and coalescing across actors, batched transactions, retries and
 *   confirmation of lock commands, a bounded fire with an abort signal, store-call timeouts,
 *   recovery rules (overdue entries, failed reads, newer formats), reloads, statuses, events.
 *   The floor handles the events the workloads send and no others (a START while a request is in
 *   flight is not one of them).
 */
import type Keyv from 'keyv';
import { type ActorRefFrom, type AnyActorRef, assign, createActor, fromCallback, sendTo, setup } from 'xstate';
import { decodeLockRecord } from '../src/persistence/lock-record-codec.js';
import { decodeTimerEntry, encodeTimerEntry } from '../src/persistence/timer-codec.js';
import { createTimerEntry } from '../src/persistence/timer-entry.js';

type StoreRequest =
  | { type: 'store.write'; key: string; value: unknown; seq: number; replyTo: AnyActorRef }
  | { type: 'store.remove'; key: string; seq: number; replyTo: AnyActorRef };
type StoreReply = { type: 'STORE_DONE'; seq: number } | { type: 'STORE_FAILED'; seq: number };

/** What the floor's actors tell the code that drives them. */
export interface FloorHost {
  written(id: string): void;
  removed(id: string): void;
  fire(id: string, endsAt: number): void;
}

interface FloorInput {
  readonly id: string;
  readonly store: AnyActorRef;
  readonly host: FloorHost;
  readonly restored?: { readonly endsAt: number; readonly durationSeconds: number; readonly lockState: string };
}

interface FloorContext {
  readonly id: string;
  readonly store: AnyActorRef;
  readonly host: FloorHost;
  readonly lockState: string;
  readonly endsAt: number;
  readonly durationSeconds: number;
  readonly seq: number;
}

type FloorEvent = { type: 'START'; seconds: number } | { type: 'CANCEL' } | { type: 'DISPOSE' } | StoreReply;

const timerKey = (id: string) => `timer:${id}`;

export const floorLockMachine = setup({
  types: {} as { context: FloorContext; events: FloorEvent; input: FloorInput },
  actions: {
    arm: assign(({ context, event }) => {
      const seconds = (event as { seconds: number }).seconds;
      return { endsAt: Date.now() + seconds * 1000, durationSeconds: seconds, seq: context.seq + 1 };
    }),
    next: assign({ seq: ({ context }) => context.seq + 1 }),
    write: sendTo(
      ({ context }) => context.store,
      ({ context, self }): StoreRequest => ({
        type: 'store.write',
        key: timerKey(context.id),
        value: encodeTimerEntry(createTimerEntry({ endsAt: context.endsAt, durationSeconds: context.durationSeconds })),
        seq: context.seq,
        replyTo: self,
      }),
    ),
    remove: sendTo(
      ({ context }) => context.store,
      ({ context, self }): StoreRequest => ({
        type: 'store.remove',
        key: timerKey(context.id),
        seq: context.seq,
        replyTo: self,
      }),
    ),
    written: ({ context }) => context.host.written(context.id),
    removed: ({ context }) => context.host.removed(context.id),
    fire: ({ context }) => context.host.fire(context.id, context.endsAt),
  },
  guards: {
    current: ({ context, event }) => (event as StoreReply).seq === context.seq,
    restored: ({ context }) => context.endsAt > 0,
  },
  delays: {
    deadline: ({ context }) => Math.max(0, context.endsAt - Date.now()),
  },
}).createMachine({
  id: 'floor-lock',
  context: ({ input }) => ({
    id: input.id,
    store: input.store,
    host: input.host,
    lockState: input.restored?.lockState ?? 'unknown',
    endsAt: input.restored?.endsAt ?? 0,
    durationSeconds: input.restored?.durationSeconds ?? 0,
    seq: 0,
  }),
  initial: 'boot',
  on: { DISPOSE: '.disposed' },
  states: {
    boot: { always: [{ guard: 'restored', target: 'active' }, { target: 'idle' }] },
    idle: { on: { START: { target: 'arming', actions: 'arm' } } },
    arming: {
      entry: 'write',
      on: {
        STORE_DONE: { guard: 'current', target: 'active', actions: 'written' },
        STORE_FAILED: { guard: 'current', target: 'arming', reenter: true, actions: 'next' },
        CANCEL: 'cancelling',
      },
    },
    cancelling: {
      on: {
        STORE_DONE: { guard: 'current', target: 'removing', actions: 'written' },
        STORE_FAILED: { guard: 'current', target: 'removing' },
      },
    },
    active: {
      after: { deadline: 'firing' },
      on: { CANCEL: 'removing', START: { target: 'arming', actions: 'arm' } },
    },
    firing: { entry: 'fire', always: 'removing' },
    removing: {
      entry: ['next', 'remove'],
      on: {
        STORE_DONE: { guard: 'current', target: 'idle', actions: 'removed' },
        STORE_FAILED: { guard: 'current', target: 'removing', reenter: true },
      },
    },
    disposed: {},
  },
});

type FloorActor = ActorRefFrom<typeof floorLockMachine>;

/** The shared persistence-like actor: one keyv call per request, the answer sent back as an event. */
const floorStoreLogic = fromCallback<StoreRequest, { store: Keyv; settled: () => void; asked: () => void }>(
  ({ receive, input }) => {
    receive((request) => {
      input.asked();
      const call =
        request.type === 'store.write' ? input.store.set(request.key, request.value) : input.store.delete(request.key);
      call.then(
        () => {
          input.settled();
          request.replyTo.send({ type: 'STORE_DONE', seq: request.seq });
        },
        () => {
          input.settled();
          request.replyTo.send({ type: 'STORE_FAILED', seq: request.seq });
        },
      );
    });
  },
);

const rootLogic = setup({}).createMachine({ id: 'floor' });

/** Drives floor actors with the same calls the bench makes of the baseline and of relock. */
export class Floor implements FloorHost {
  readonly #root = createActor(rootLogic).start();
  readonly #store: AnyActorRef;
  readonly #locks = new Map<string, FloorActor>();
  readonly #whenWritten = new Map<string, Array<() => void>>();
  readonly #whenRemoved = new Map<string, Array<() => void>>();
  #inFlight = 0;
  #idle: Array<() => void> = [];

  constructor(
    readonly keyv: Keyv,
    readonly onFire: (id: string, endsAt: number) => void = () => {},
  ) {
    this.#store = createActor(floorStoreLogic, {
      parent: this.#root,
      systemId: 'store',
      input: {
        store: keyv,
        asked: () => {
          this.#inFlight++;
        },
        settled: () => {
          if (--this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
        },
      },
    }).start();
  }

  #create(id: string, restored?: FloorInput['restored']): FloorActor {
    const input: FloorInput = { id, store: this.#store, host: this, ...(restored === undefined ? {} : { restored }) };
    const actor = createActor(floorLockMachine, { parent: this.#root, input }).start();
    this.#locks.set(id, actor);
    return actor;
  }

  #lock(id: string): FloorActor {
    const actor = this.#locks.get(id);
    if (actor === undefined) throw new Error(`floor: no lock ${id}`);
    return actor;
  }

  #wait(waiters: Map<string, Array<() => void>>, id: string): Promise<void> {
    return new Promise((resolve) => {
      const list = waiters.get(id);
      if (list === undefined) waiters.set(id, [resolve]);
      else list.push(resolve);
    });
  }

  #wake(waiters: Map<string, Array<() => void>>, id: string): void {
    const list = waiters.get(id);
    if (list === undefined) return;
    waiters.delete(id);
    for (const resolve of list) resolve();
  }

  written(id: string): void {
    this.#wake(this.#whenWritten, id);
  }

  removed(id: string): void {
    this.#wake(this.#whenRemoved, id);
  }

  fire(id: string, endsAt: number): void {
    this.onFire(id, endsAt);
  }

  add(ids: readonly string[]): void {
    for (const id of ids) this.#create(id);
  }

  start(id: string, seconds: number): Promise<void> {
    const written = this.#wait(this.#whenWritten, id);
    this.#lock(id).send({ type: 'START', seconds });
    return written;
  }

  cancel(id: string): Promise<void> {
    const removed = this.#wait(this.#whenRemoved, id);
    this.#lock(id).send({ type: 'CANCEL' });
    return removed;
  }

  /** Reads each lock's record and timer entry (one keyv call each), decodes them, creates its actor. */
  async recover(ids: readonly string[]): Promise<void> {
    await Promise.all(
      ids.map(async (id) => {
        const [rawLock, rawTimer] = await Promise.all([this.keyv.get(`lock:${id}`), this.keyv.get(timerKey(id))]);
        const record = rawLock === undefined ? null : decodeLockRecord(rawLock);
        const entry = rawTimer === undefined ? null : decodeTimerEntry(rawTimer);
        const lockState = record?.ok ? record.value.runtime.lockState : 'unknown';
        this.#create(
          id,
          entry?.ok
            ? { endsAt: entry.value.endsAt, durationSeconds: entry.value.durationSeconds, lockState }
            : undefined,
        );
      }),
    );
  }

  /** Resolves when no store request is in flight. */
  settle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  endsAt(id: string): number | null {
    const { context } = this.#lock(id).getSnapshot();
    return context.endsAt > 0 ? context.endsAt : null;
  }

  running(id: string): boolean {
    const snapshot = this.#lock(id).getSnapshot();
    return snapshot.matches('arming') || snapshot.matches('active') || snapshot.matches('firing');
  }

  /**
   * Each actor leaves its timed state (cancelling its own delayed event); then the root stops and
   * the whole system, holding no timer, is left to the garbage collector (XState stops a
   * non-root actor only through its parent).
   */
  stop(): void {
    for (const actor of this.#locks.values()) actor.send({ type: 'DISPOSE' });
    this.#locks.clear();
    this.#root.stop();
  }
}
