/**
 * The coordinator statechart: the root of a relock system.
 *
 *   coordinator ── invokes persistence (systemId `persistence`) for its whole life
 *   running ──STOP──▶ stopping (retire every lock and timer, flush the store) ──▶ stopped (final)
 *
 * Invariants:
 * - it owns the lock registry: adding, reloading, removing and releasing a lock (to another
 *   process, `relock/cluster`), and routing host reports to the live lock actor, all pass
 *   through its mailbox, in order;
 * - the per-lock actors (`lock:<id>`, `timer:<id>`) are registered in its actor system (so
 *   `system.get()` and the inspector reach them) but are not held in its snapshot's children,
 *   so its cost per add, report or remove does not grow with the number of locks;
 * - nothing is lost on STOP: pending store writes are flushed before the persistence actor
 *   stops, and stored timer entries stay for the next system to replay;
 * - the registry operations are supplied with `.provide()` (`src/actors/coordinator.actor.ts`);
 *   replies travel sealed.
 */
import { fromCallback, fromPromise, setup } from 'xstate';
import { notProvided as missing } from '../errors.js';
import type { LockConfig } from '../model/lock-config.js';
import type { PersistenceEvent, SealedReply } from '../persistence/persistence-contract.js';
import type { LockEvent } from './lock.machine.js';

export type CoordinatorEvent =
  | {
      readonly type: 'ADD_LOCKS';
      readonly configs: readonly LockConfig[];
      /** Per config: the host gave no autolock block, so the stored settings stay. */
      readonly inheritAutolock?: readonly boolean[];
      readonly reply: SealedReply<void>;
    }
  | {
      readonly type: 'UPDATE_LOCK';
      readonly config: LockConfig;
      /** The host gave no autolock block, so the current settings stay. */
      readonly inheritAutolock?: boolean;
      readonly reply: SealedReply<void>;
    }
  | { readonly type: 'REMOVE_LOCK'; readonly lockId: string; readonly reply: SealedReply<void> }
  /** The lock moves to another process (`relock/cluster`): its actors retire, its stored state stays. */
  | { readonly type: 'RELEASE_LOCK'; readonly lockId: string; readonly reply: SealedReply<void> }
  | { readonly type: 'REPORT'; readonly lockId: string; readonly event: LockEvent }
  | { readonly type: 'STOP' };

/** The coordinator keeps no per-lock data in its snapshot (see the header). */
export type CoordinatorContext = Record<string, never>;

export const coordinatorMachine = setup({
  types: {
    context: {} as CoordinatorContext,
    events: {} as CoordinatorEvent,
  },
  actors: {
    /** The persistence actor: the only writer of the store. */
    persistence: fromCallback<PersistenceEvent>(missing('actor', 'persistence')),
    /** Retires every lock and timer actor and flushes pending writes. */
    shutdown: fromPromise<void>(async () => missing('actor', 'shutdown')()),
  },
  actions: {
    addLocks: missing('action', 'addLocks'),
    reloadLock: missing('action', 'reloadLock'),
    removeLock: missing('action', 'removeLock'),
    releaseLock: missing('action', 'releaseLock'),
    routeReport: missing('action', 'routeReport'),
  },
}).createMachine({
  id: 'coordinator',
  context: {},
  invoke: { id: 'persistence', systemId: 'persistence', src: 'persistence' },
  initial: 'running',
  states: {
    running: {
      on: {
        ADD_LOCKS: { actions: 'addLocks' },
        UPDATE_LOCK: { actions: 'reloadLock' },
        REMOVE_LOCK: { actions: 'removeLock' },
        RELEASE_LOCK: { actions: 'releaseLock' },
        REPORT: { actions: 'routeReport' },
        STOP: 'stopping',
      },
    },
    stopping: {
      invoke: { src: 'shutdown', onDone: 'stopped', onError: 'stopped' },
    },
    stopped: { type: 'final' },
  },
});

export type CoordinatorMachine = typeof coordinatorMachine;
