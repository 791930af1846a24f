/**
 * A timer test bench: a simulated clock, a persistence actor on a (faulty) in-memory keyv
 * store, a timer store, and a live registry of fake locks that fires look up at fire time.
 */
import Keyv from 'keyv';
import { createActor } from 'xstate';
import {
  type AutolockPolicy,
  AutolockTimer,
  type FireRequest,
  fireOnLiveLock,
  toRelockEvent,
} from '../../src/actors/autolock-timer.actor.js';
import { createPersistenceLogic, persistenceClient } from '../../src/actors/persistence.actor.js';
import { ManualClock } from '../../src/clock/manual-clock.js';
import type { FireOutcome, RelockEventData } from '../../src/events.js';
import { createKeyvStore } from '../../src/persistence/keyv-store.js';
import { createTimerStore } from '../../src/persistence/timer-store.js';
import { FaultyMap } from './faulty-map.js';

export interface FakeLock {
  readonly name: string;
  act?: (request: FireRequest) => Promise<FireOutcome>;
}

export interface HarnessOptions {
  readonly store?: Keyv;
  readonly clock?: ManualClock;
  readonly actionTimeoutMs?: number;
  /**
   * The persistence actor's store-call timeout. Default: a year, so a test that holds a store call
   * across simulated time (the model replays) sees it answer late, not time out; tests of
   * timeouts pass one.
   */
  readonly storeTimeoutMs?: number;
  /** The locks' retry policy; default upstream's (one command, no confirmation). */
  readonly policy?: AutolockPolicy;
}

export async function timerHarness(options: HarnessOptions = {}) {
  const clock = options.clock ?? new ManualClock();
  const map = new FaultyMap();
  const store = options.store ?? (await createKeyvStore(new Keyv({ store: map })));
  const events: RelockEventData[] = [];
  const warnings: string[] = [];
  const persistenceActor = createActor(
    createPersistenceLogic({
      store,
      clock,
      storeTimeoutMs: options.storeTimeoutMs ?? 365 * 24 * 3_600_000,
      onStoreError: ({ key, operation, error }) =>
        events.push({ type: 'store.error', key, operation, message: error.message }),
    }),
    { clock },
  );
  persistenceActor.start();
  const persistence = persistenceClient(persistenceActor);
  const logger = {
    debug: () => {},
    info: () => {},
    warn: (message: string) => warnings.push(message),
    error: (message: string) => warnings.push(message),
  };
  const timerStore = createTimerStore(persistence, logger, (event) => events.push(event));
  const locks = new Map<string, FakeLock>();
  /** Each lock command, as `<lockId>@<lock name>`. */
  const commands: string[] = [];
  const fire = fireOnLiveLock(
    (lockId) => locks.get(lockId),
    async (lock, request) => {
      commands.push(`${request.lockId}@${lock.name}`);
      return lock.act ? lock.act(request) : 'locked';
    },
  );
  const timers: AutolockTimer[] = [];
  const newTimer = (lockId: string): AutolockTimer => {
    const timer = new AutolockTimer({
      lockId,
      deps: {
        clock,
        timers: timerStore,
        fire,
        actionTimeoutMs: options.actionTimeoutMs ?? 10_000,
        ...(options.policy ? { policyOf: () => options.policy as AutolockPolicy } : {}),
      },
    });
    timer.actor.on('*', (event) => events.push(toRelockEvent(event, options.policy?.maxAttempts ?? 1)));
    timers.push(timer);
    return timer;
  };
  const stored = (lockId: string): Promise<unknown> => store.get(`timer:${lockId}`);
  const stop = (): void => {
    for (const timer of timers) timer.actor.stop();
    persistenceActor.stop();
  };
  return { clock, map, store, events, warnings, persistence, timerStore, locks, commands, newTimer, stored, stop };
}

export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
