/**
 * The three sides of every workload behind one face: the bare baseline, the XState floor and
 * relock, each on its own counted store, doing the same work by the calls a host would make.
 */
import { systemClock } from '../src/clock/clock.js';
import { parseLockConfig } from '../src/model/lock-config.js';
import { INITIAL_RUNTIME } from '../src/model/lock-runtime.js';
import { encodeLockRecord } from '../src/persistence/lock-record-codec.js';
import { encodeTimerEntry } from '../src/persistence/timer-codec.js';
import { createTimerEntry } from '../src/persistence/timer-entry.js';
import { createRelock, type Relock } from '../src/relock.js';
import { Baseline } from './baseline.js';
import { Floor } from './floor.js';
import { type CountedStore, configOf, inTransaction, nextTurn, type SideName } from './support.js';

export interface Side {
  readonly name: SideName;
  /** Creates the locks, fresh (not timed; the baseline has nothing to create). */
  add(ids: readonly string[]): Promise<void>;
  /** Arms a lock's autolock for `seconds`; resolves once its entry is durable. */
  start(id: string, seconds: number): Promise<unknown>;
  /** A host's lock report: `unlocked` starts the autolock (60 minutes), `locked` ends it. */
  report(id: string, state: 'locked' | 'unlocked'): Promise<unknown> | undefined;
  /** A restart: reads the lock records and timer entries a first system left and arms every timer. */
  recover(ids: readonly string[]): Promise<void>;
  /** Resolves when every write asked so far is durable. */
  settle(): Promise<void>;
  endsAt(id: string): number | null;
  running(id: string): boolean;
  stop(): Promise<void>;
  /** Event counts (relock only): what relock said happened. */
  readonly events: Map<string, number>;
}

export interface SideOptions {
  /** Called when a lock command is sent (the baseline and the floor: when the timer fires). */
  readonly onFire?: (id: string) => void;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const AUTOLOCK_SECONDS = 3600;

function baselineSide(counted: CountedStore, options: SideOptions): Side {
  const baseline = new Baseline(counted.store, options.onFire);
  return {
    name: 'baseline',
    events: new Map(),
    add: async () => {},
    start: (id, seconds) => baseline.start(id, seconds),
    report: (id, state) => (state === 'unlocked' ? baseline.start(id, AUTOLOCK_SECONDS) : baseline.cancel(id)),
    recover: (ids) => baseline.recover(ids),
    settle: () => baseline.settle(),
    endsAt: (id) => baseline.endsAt(id),
    running: (id) => baseline.running(id),
    stop: async () => baseline.stop(),
  };
}

function floorSide(counted: CountedStore, options: SideOptions): Side {
  const floor = new Floor(counted.store, options.onFire);
  return {
    name: 'floor',
    events: new Map(),
    add: async (ids) => floor.add(ids),
    start: (id, seconds) => floor.start(id, seconds),
    report: (id, state) => (state === 'unlocked' ? floor.start(id, AUTOLOCK_SECONDS) : floor.cancel(id)),
    recover: (ids) => floor.recover(ids),
    settle: () => floor.settle(),
    endsAt: (id) => floor.endsAt(id),
    running: (id) => floor.running(id),
    stop: async () => floor.stop(),
  };
}

/**
 * relock with its defaults (every lock reports its state, so an accepted command waits
 * `confirmSeconds` for a `locked` report): the driver below acts as a real host does and reports
 * `locked` on the next turn after accepting each command, so a fire is one whole autolock cycle.
 */
async function relockSide(counted: CountedStore, options: SideOptions): Promise<Side> {
  let system: Relock | undefined;
  const relock = await createRelock({
    store: counted.store,
    clock: systemClock,
    logger: quiet,
    driver: {
      async lock(lock) {
        options.onFire?.(lock.id);
        setImmediate(() => system?.reportLockState(lock.id, 'locked'));
      },
    },
  });
  system = relock;
  const events = new Map<string, number>();
  relock.subscribe((event) => events.set(event.type, (events.get(event.type) ?? 0) + 1));
  const endsAt = (id: string) => relock.status(id).endsAt;
  // every write asked so far is durable, and none follows from a reply: flushed until a flush
  // asks the store for nothing more (a reply can make a timer ask for its next write)
  const settle = async (): Promise<void> => {
    let before: number;
    do {
      before = counted.ops().keyv + counted.ops().sql;
      await nextTurn();
      await relock.flush();
    } while (counted.ops().keyv + counted.ops().sql !== before);
  };
  return {
    name: 'relock',
    events,
    add: async (ids) => {
      await relock.addLocks(ids.map(configOf));
      await relock.flush();
    },
    start: (id, seconds) => relock.startAutolock(id, seconds),
    report: (id, state) => {
      relock.reportLockState(id, state);
      return undefined;
    },
    recover: async (ids) => {
      await relock.addLocks(ids.map(configOf));
      await settle();
    },
    settle,
    endsAt,
    running: (id) => relock.status(id).running,
    stop: () => relock.stop(),
  };
}

export function makeSide(name: SideName, counted: CountedStore, options: SideOptions = {}): Promise<Side> {
  if (name === 'baseline') return Promise.resolve(baselineSide(counted, options));
  if (name === 'floor') return Promise.resolve(floorSide(counted, options));
  return relockSide(counted, options);
}

/**
 * What a first system leaves behind when every lock was reported unlocked and its 60-minute
 * autolock runs: per lock, a lock record (`lock:<id>`: config, runtime `unlocked`) and a timer
 * entry (`timer:<id>`), encoded with relock's own codecs. `checkSeed` compares this with what a
 * real relock system writes.
 */
export async function seed(counted: CountedStore, lockIds: readonly string[]): Promise<void> {
  const endsAt = Date.now() + AUTOLOCK_SECONDS * 1000;
  const runtime = { ...INITIAL_RUNTIME, lockState: 'unlocked' as const };
  await inTransaction(counted, () =>
    Promise.all(
      lockIds.flatMap((id) => [
        counted.store.set(`lock:${id}`, encodeLockRecord({ config: parseLockConfig(configOf(id)), runtime })),
        counted.store.set(
          `timer:${id}`,
          encodeTimerEntry(createTimerEntry({ endsAt, durationSeconds: AUTOLOCK_SECONDS })),
        ),
      ]),
    ),
  );
}

/**
 * Runs a real relock system on `first` (locks added, reported unlocked, stopped) and `seed` on
 * `seeded`, and says how their stored values differ (`endsAt` aside), or null when they agree.
 */
export async function checkSeed(first: CountedStore, seeded: CountedStore): Promise<string | null> {
  const lockIds = ['lock-0', 'lock-1', 'lock-2'];
  const relock = await createRelock({ store: first.store, logger: quiet, driver: { lock: async () => {} } });
  await relock.addLocks(lockIds.map(configOf));
  for (const id of lockIds) relock.reportLockState(id, 'unlocked');
  await nextTurn();
  await relock.flush();
  await relock.stop();
  await seed(seeded, lockIds);
  const differences: string[] = [];
  const withoutEnd = (value: unknown) => JSON.stringify(value, (key, field) => (key === 'endsAt' ? '<endsAt>' : field));
  for (const id of lockIds) {
    for (const key of [`lock:${id}`, `timer:${id}`]) {
      const written = withoutEnd(await first.store.get(key));
      const seededValue = withoutEnd(await seeded.store.get(key));
      if (written !== seededValue) differences.push(`${key}: relock wrote ${written}, the seed has ${seededValue}`);
    }
  }
  return differences.length === 0 ? null : differences.join('; ');
}
