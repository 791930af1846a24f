/**
 * The coordinator actor: the coordinator statechart given its persistence actor, its lock
 * registry and its shutdown, started as the root of one relock actor system.
 *
 * Invariants:
 * - the system's clock is the injected clock, so every delayed transition of every actor in the
 *   system (timer deadlines, backoffs, action timeouts) runs on it;
 * - the `inspect` observer sees the whole system: coordinator, persistence, locks and timers;
 * - locks and timers are children of the `locks` actor, not of the coordinator statechart, so
 *   their one-off done and error events never reach a statechart (see `lock-parent.actor.ts`);
 * - registry operations answer through sealed replies; their failures reject the asker only.
 */
import type Keyv from 'keyv';
import { type ActorRefFrom, createActor, fromPromise, type InspectionEvent, type Observer } from 'xstate';
import { type CoordinatorEvent, coordinatorMachine } from '../machines/coordinator.machine.js';
import { batchRunnerOf } from '../persistence/keyv-store.js';
import { createLockStore } from '../persistence/lock-store.js';
import type { Persistence } from '../persistence/persistence-contract.js';
import { createTimerStore } from '../persistence/timer-store.js';
import { answer } from './ask.js';
import { indexSchedulerBySource } from './indexed-scheduler.js';
import { type LockParent, startLockParent } from './lock-parent.actor.js';
import { LockRegistry, type RegistryDeps } from './lock-registry.js';
import { createPersistenceLogic, type PersistenceActorRef, persistenceClient } from './persistence.actor.js';

/** The registry's ports, less the stores this module builds on the persistence actor. */
export interface CoordinatorDeps extends Omit<RegistryDeps, 'timers' | 'locks'> {
  readonly store: Keyv;
  /** How long a store call may take before it counts as failed (the persistence actor's default if unset). */
  readonly storeTimeoutMs?: number;
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

export function startCoordinator(deps: CoordinatorDeps) {
  let registry: LockRegistry | undefined;
  let lockParent: LockParent | undefined;
  let persistence: Persistence | undefined;
  const ready = (): { registry: LockRegistry; persistence: Persistence } => {
    if (registry === undefined || persistence === undefined) throw new Error('The coordinator is not started');
    return { registry, persistence };
  };

  const logic = coordinatorMachine.provide({
    actors: {
      persistence: createPersistenceLogic({
        store: deps.store,
        clock: deps.clock,
        ...(deps.storeTimeoutMs !== undefined ? { storeTimeoutMs: deps.storeTimeoutMs } : {}),
        batch: batchRunnerOf(deps.store),
        onStoreError: ({ key, operation, error }) => {
          deps.logger.warn('Store operation failed', { key, operation, message: error.message });
          deps.emit({ type: 'store.error', key, operation, message: error.message });
        },
      }),
      shutdown: fromPromise<void>(async () => {
        const parts = ready();
        parts.registry.shutdown();
        lockParent?.close();
        await parts.persistence.flush();
      }),
    },
    actions: {
      // each action is bound to its event in the machine, so the casts only name what it is
      addLocks: ({ event }) => {
        const { configs, inheritAutolock, reply } = event as Extract<CoordinatorEvent, { type: 'ADD_LOCKS' }>;
        answer(reply, () => ready().registry.addMany(configs, inheritAutolock));
      },
      reloadLock: ({ event }) => {
        const { config, inheritAutolock, reply } = event as Extract<CoordinatorEvent, { type: 'UPDATE_LOCK' }>;
        answer(reply, () => ready().registry.reload(config, inheritAutolock));
      },
      removeLock: ({ event }) => {
        const { lockId, reply } = event as Extract<CoordinatorEvent, { type: 'REMOVE_LOCK' }>;
        answer(reply, () => ready().registry.remove(lockId));
      },
      releaseLock: ({ event }) => {
        const { lockId, reply } = event as Extract<CoordinatorEvent, { type: 'RELEASE_LOCK' }>;
        answer(reply, () => ready().registry.release(lockId));
      },
      routeReport: ({ event }) => {
        const report = event as Extract<CoordinatorEvent, { type: 'REPORT' }>;
        // a report for a lock removed meanwhile has nobody to go to
        ready().registry.lockActorIfAny(report.lockId)?.send(report.event);
      },
    },
  });

  const actor = createActor(logic, { clock: deps.clock, ...(deps.inspect ? { inspect: deps.inspect } : {}) });
  indexSchedulerBySource(actor.system);
  actor.start();
  // locks and timers are children of a parent that is not a statechart (see lock-parent.actor.ts)
  lockParent = startLockParent(actor);
  persistence = persistenceClient(actor.system.get('persistence') as PersistenceActorRef);
  const { store: _store, inspect: _inspect, ...ports } = deps;
  registry = new LockRegistry(
    {
      ...ports,
      timers: createTimerStore(persistence, deps.logger, deps.emit),
      locks: createLockStore(persistence, deps.logger, deps.emit),
    },
    lockParent.ref,
  );
  return { actor, registry, persistence };
}

export type CoordinatorActorRef = ReturnType<typeof startCoordinator>['actor'];
export type CoordinatorLogicRef = ActorRefFrom<typeof coordinatorMachine>;
