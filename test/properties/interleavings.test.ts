/**
 * Property-based interleavings: random sequences of host reports, settings, manual starts and
 * cancels, reloads, removals, un-awaited remove/add races, restarts, driver failures and hangs,
 * store faults (throws, `false` answers, calls that never return, unparsable and newer-format
 * values), wall-clock steps either way, throwing host callbacks (daylight, inspect, a status
 * observer) and a clock whose now() is NaN, and clock advances, over three locks at once. After
 * every step the invariants I1-I7 and the event grammar (test/support/event-grammar.ts) must hold.
 * The locks run in every door mode (a reload moves each to the next) with retries, confirmation and
 * a warning, so the generated runs also cover failed and unconfirmed commands, jams and door waits.
 *
 * A failure prints fast-check's seed and path; replay it with RELOCK_SEED=<seed> (and
 * RELOCK_PATH=<path>). RELOCK_RUNS=<n> runs longer (default 200 runs).
 */
import fc from 'fast-check';
import type Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { DEADLINE_CHECK_MS } from '../../src/actors/autolock-timer.actor.js';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { EventGrammar } from '../support/event-grammar.js';
import { FaultyMap } from '../support/faulty-map.js';
import { MINUTE, type RelockHarness, relockHarness } from '../support/relock-harness.js';

const LOCKS = ['a', 'b', 'c'] as const;
type LockId = (typeof LOCKS)[number];
const PINS = ['482913', '771204', '559031'];
const TIMEOUT = 5_000;
/** Longest lateness of a fire: one deadline check period plus the lock action's timeout. */
const LATENESS_MS = DEADLINE_CHECK_MS + TIMEOUT + 1_000;

const DOOR_MODES = ['never-while-open', 'after-close', 'countdown', 'restart-on-close'] as const;
/** Each lock starts in its own door mode, and a reload moves it on to the next. */
const doorModeOf = (id: LockId, generation: number) => DOOR_MODES[(LOCKS.indexOf(id) + generation) % DOOR_MODES.length];
const configOf = (id: LockId, generation = 0) => ({
  id,
  name: `Lock ${id.toUpperCase()}${generation > 0 ? ` v${generation}` : ''}`,
  hasDoorSensor: true,
  autolock: {
    enabled: true,
    dayMinutes: 2,
    nightMinutes: 1,
    doorMode: doorModeOf(id, generation),
    afterCloseSeconds: 20,
    maxAttempts: 3,
    retryDelaySeconds: 10,
    confirmSeconds: 15,
    warnSeconds: 30,
  },
  codeSlots: [{ number: 1, name: 'Guest', pin: PINS[LOCKS.indexOf(id)] }],
});

type Step =
  | { kind: 'report'; lock: LockId; state: 'locked' | 'unlocked' | 'jammed' }
  | { kind: 'door'; lock: LockId; state: 'open' | 'closed' }
  | { kind: 'autolock'; lock: LockId; enabled: boolean }
  | { kind: 'start'; lock: LockId; seconds: number }
  | { kind: 'cancel'; lock: LockId }
  | { kind: 'reload'; lock: LockId }
  | { kind: 'remove'; lock: LockId }
  | { kind: 'add'; lock: LockId }
  | { kind: 'restart' }
  | { kind: 'driver'; fault: 'throw' | 'hang' }
  | { kind: 'store'; op: 'get' | 'set' | 'delete'; mode: 'throw' | 'false' | 'hang' }
  | { kind: 'corrupt'; lock: LockId; family: 'timer' | 'lock'; value: CorruptValue }
  | { kind: 'race'; lock: LockId }
  | { kind: 'step'; ms: number }
  | { kind: 'host'; fault: 'daylight' | 'nan' | 'inspect' | 'observer'; lock: LockId }
  | { kind: 'advance'; ms: number };

/** What a hostile store can hold under a key: not JSON, empty, not an object, a newer format. */
type CorruptValue = 'not-json' | 'empty' | 'number' | 'newer';
const corruptRaw = (value: CorruptValue, family: 'timer' | 'lock'): string => {
  switch (value) {
    case 'not-json':
      return '{not json';
    case 'empty':
      return '';
    case 'number':
      return JSON.stringify({ value: 42, expires: null });
    case 'newer':
      return JSON.stringify({
        value: family === 'timer' ? { v: 3, endsAt: '2026-01-01T12:05:00Z', durationSeconds: 300 } : { v: 2 },
        expires: null,
      });
  }
};

const lockId = fc.constantFrom(...LOCKS);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('report' as const),
      lock: lockId,
      state: fc.constantFrom('locked' as const, 'unlocked' as const, 'jammed' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('door' as const),
      lock: lockId,
      state: fc.constantFrom('open' as const, 'closed' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('autolock' as const), lock: lockId, enabled: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('start' as const),
      lock: lockId,
      seconds: fc.integer({ min: 0, max: 300 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), lock: lockId }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reload' as const), lock: lockId }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), lock: lockId }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), lock: lockId }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('driver' as const),
      fault: fc.constantFrom('throw' as const, 'hang' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('store' as const),
      op: fc.constantFrom('get' as const, 'set' as const, 'delete' as const),
      mode: fc.constantFrom('throw' as const, 'false' as const, 'hang' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('corrupt' as const),
      lock: lockId,
      family: fc.constantFrom('timer' as const, 'lock' as const),
      value: fc.constantFrom('not-json' as const, 'empty' as const, 'number' as const, 'newer' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('race' as const), lock: lockId }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('step' as const),
      ms: fc.oneof(fc.integer({ min: -86_400_000, max: -MINUTE }), fc.integer({ min: MINUTE, max: 86_400_000 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('host' as const),
      fault: fc.constantFrom('daylight' as const, 'nan' as const, 'inspect' as const, 'observer' as const),
      lock: lockId,
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.oneof(
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 50_000, max: 3 * MINUTE }),
        fc.integer({ min: 10 * MINUTE, max: 3 * 3_600_000 }),
      ),
    }),
  },
);

const isHang = (error: unknown): boolean => error instanceof Error && error.message.startsWith('HANG:');

async function run(steps: Step[], storeFaults: boolean): Promise<void> {
  const clock = new ManualClock();
  const map = new FaultyMap();
  const grammar = new EventGrammar();
  /**
   * Locks whose record the hostile store destroyed: after the next restart relock cannot know
   * what the host last reported (the record is pruned or unreadable), so a replayed autolock may
   * send a command to a lock the host had reported locked. That is the safe side, not a fault.
   */
  const lostRecords = new Set<LockId>();
  const violations: string[] = [];
  /** Store calls held forever (released when the run ends): the persistence actor's timeout must free them. */
  const hung: Array<() => void> = [];
  const watch = (sys: RelockHarness): RelockHarness => {
    sys.relock.subscribe((event) => {
      const wrong = grammar.accept(event);
      if (wrong !== undefined) violations.push(`${wrong} (${where()})`);
    });
    return sys;
  };
  let h: RelockHarness = watch(await relockHarness({ clock, map, actionTimeoutMs: TIMEOUT }));
  const everything: string[] = [];
  const present = new Set<LockId>();
  const generation: Record<LockId, number> = { a: 0, b: 0, c: 0 };
  /** Locks the host last reported locked, or that were removed: no command may be sent for them. */
  const mustNotLock = new Set<LockId>();
  /** Locks whose awaited cancel resolved with nothing armed since. */
  const cancelled = new Set<LockId>();
  /**
   * Cancelled before a restart on a faulty store: the cycle's end may not have reached the store,
   * so the restarted lock may or may not be re-armed (I1 is not asserted until a new cycle).
   */
  const maybeCancelled = new Set<LockId>();
  /** Something began a new cycle for the lock: an unlock, a start, an enable, an add. */
  const newCycle = (id: LockId): void => {
    cancelled.delete(id);
    maybeCancelled.delete(id);
  };
  /** Locks the host reported jammed (as of the end of the last step): no command may be sent to them. */
  const jammed = new Set<LockId>();
  /** Locks whose door the host reported open (as of the end of the last step). */
  const doorOpen = new Set<LockId>();
  /** Jam and open-door reports of this step, applied once the step has run. */
  let reported: Array<() => void> = [];
  /** What relock no longer knows of a lock: its record was lost, or it was removed and re-added. */
  const forgetReports = (id: LockId) => {
    jammed.delete(id);
    doorOpen.delete(id);
  };
  let commandsSeen = 0;
  let timelineSeen = 0;
  /** I4: per lock, whether a new autolock cycle (or a failure to replay) began since its last command. */
  const mayCommand = new Map<string, boolean>();
  let current = 'setup';
  const where = () => current;
  const collect = (sys: RelockHarness) => {
    everything.push(
      ...sys.logs.splice(0),
      ...sys.events.splice(0).map((e) => JSON.stringify(e)),
      ...sys.inspected.splice(0),
    );
  };
  const checkCommands = () => {
    for (const command of h.driver.commands.slice(commandsSeen)) {
      const id = command.split('@')[0] as LockId;
      expect(mustNotLock.has(id), `lock command for ${id}, which is locked or removed (${where()})`).toBe(false);
      expect(cancelled.has(id), `lock command for ${id} after an awaited cancel (${where()})`).toBe(false);
      // I7: no command to a jammed lock, and none while the door is open in a door-aware mode
      expect(jammed.has(id), `I7 lock command for ${id}, which is jammed (${where()})`).toBe(false);
      const mode = doorModeOf(id, generation[id]);
      expect(
        doorOpen.has(id) && mode !== 'countdown',
        `I7 lock command for ${id} with its door open in ${mode} mode (${where()})`,
      ).toBe(false);
    }
    commandsSeen = h.driver.commands.length;
    for (const entry of h.driver.timeline.slice(timelineSeen)) {
      const [what, id] = entry.split(' ');
      if (what === 'command') {
        expect(
          mayCommand.get(id) ?? true,
          `I4 a second lock command for ${id} in one autolock cycle (${where()}; ${h.driver.timeline.join(' | ')})`,
        ).toBe(true);
        mayCommand.set(id, false);
      } else if (['autolock.started', 'autolock.retry-pending', 'autolock.failed'].includes(what)) {
        mayCommand.set(id, true);
      }
    }
    timelineSeen = h.driver.timeline.length;
  };
  /**
   * Awaits a call the way a host would in real time: a cancel or removal waits for an in-flight
   * fire, which ends by itself or by the action timeout, so simulated time moves on meanwhile.
   */
  /**
   * Awaits a call while simulated time runs on, a second at a time, as it would for a host: a
   * fire, a store timeout or a backoff ends by itself. A call still unanswered after an hour of
   * simulated time is a hang, and fails the run.
   */
  const settle = async <T>(promise: Promise<T>, what: string): Promise<T> => {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let second = 0; second < 3_600 && !settled; second++) await clock.advance(second === 0 ? 0 : 1_000);
    if (!settled) throw new Error(`HANG: ${what} did not settle within an hour of simulated time (${where()})`);
    return promise;
  };
  /** Awaits a call whose rejection is an acceptable answer (a refused start, a store failure). */
  const ignore = async (promise: Promise<unknown>, what = 'a call') => {
    let answered: Promise<unknown>;
    try {
      answered = settle(promise, what);
      await answered;
    } catch (error) {
      if (isHang(error)) throw error;
    }
  };
  /** Awaits an add: the lock is present once it resolves; a store failure may refuse it (it stays absent). */
  const added = async (id: LockId, adding: Promise<unknown>, what: string): Promise<void> => {
    // a lock added after a removal starts from what the host says next
    forgetReports(id);
    try {
      await settle(adding, what);
      present.add(id);
      mustNotLock.delete(id);
      newCycle(id);
    } catch (error) {
      if (isHang(error)) throw error;
    }
  };
  try {
    await h.relock.addLocks(LOCKS.map((id) => configOf(id)));
    for (const id of LOCKS) present.add(id);
    for (const [index, s] of steps.entries()) {
      const where = `step ${index}: ${JSON.stringify(s)}`;
      current = where;
      const { relock } = h;
      switch (s.kind) {
        case 'report': {
          if (!present.has(s.lock)) break;
          const changed = relock.status(s.lock).lockState !== s.state;
          relock.reportLockState(s.lock, s.state);
          if (s.state === 'locked') mustNotLock.add(s.lock);
          else mustNotLock.delete(s.lock);
          // a jam counts from the end of this step (a command already out is not the jam's fault); its end at once
          if (s.state === 'jammed') reported.push(() => jammed.add(s.lock));
          else jammed.delete(s.lock);
          // a repeated identical report changes nothing (B7), so a cancel by hand still stands
          if (s.state === 'unlocked' && changed) newCycle(s.lock);
          break;
        }
        case 'door':
          if (!present.has(s.lock)) break;
          relock.reportDoorState(s.lock, s.state);
          // an open door counts from the end of this step; a closed one at once (it may be locked now)
          if (s.state === 'open') reported.push(() => doorOpen.add(s.lock));
          else doorOpen.delete(s.lock);
          break;
        case 'autolock':
          if (!present.has(s.lock)) break;
          if (s.enabled && !relock.status(s.lock).autolockEnabled) newCycle(s.lock);
          relock.setAutolock(s.lock, { enabled: s.enabled });
          break;
        case 'start':
          if (!present.has(s.lock)) break;
          newCycle(s.lock);
          await ignore(relock.startAutolock(s.lock, s.seconds));
          break;
        case 'cancel':
          if (!present.has(s.lock)) break;
          await ignore(relock.cancelAutolock(s.lock));
          cancelled.add(s.lock);
          checkCommands();
          break;
        case 'reload':
          if (!present.has(s.lock)) break;
          generation[s.lock]++;
          // the host's autolock block is the configuration: a reload that enables autolock starts a
          // new cycle, as setAutolock would (README, Which settings win)
          if (!relock.status(s.lock).autolockEnabled) newCycle(s.lock);
          await ignore(relock.updateLock(configOf(s.lock, generation[s.lock])));
          break;
        case 'remove':
          if (!present.has(s.lock)) break;
          await ignore(relock.removeLock(s.lock));
          present.delete(s.lock);
          mustNotLock.add(s.lock);
          checkCommands();
          break;
        case 'add':
          if (present.has(s.lock)) break;
          await added(s.lock, relock.addLock(configOf(s.lock, generation[s.lock])), 'addLock');
          break;
        case 'restart': {
          checkCommands();
          collect(h);
          // a call that hung dies with the process (its connection closes): what it wrote, if anything, stays
          for (const release of hung.splice(0)) release();
          await settle(h.relock.stop(), 'stop');
          grammar.restart();
          for (const id of lostRecords) {
            mustNotLock.delete(id);
            forgetReports(id);
          }
          lostRecords.clear();
          h = watch(await settle(relockHarness({ clock, map, actionTimeoutMs: TIMEOUT }), 'createRelock'));
          commandsSeen = 0;
          timelineSeen = 0;
          // an entry kept by a command that was in flight at the stop is replayed: a new cycle
          mayCommand.clear();
          // a store failure refuses the whole add (nothing half-created); the host tries again
          for (let attempt = 1; ; attempt++) {
            try {
              await settle(
                h.relock.addLocks([...present].map((id) => configOf(id, generation[id]))),
                'addLocks at restart',
              );
              break;
            } catch (error) {
              if (attempt >= 10 || isHang(error)) throw error;
            }
          }
          // a cancel stands across the restart (the lock record keeps that its cycle ended), when
          // the store took that record; on a faulty store it may be lost (then it re-arms)
          if (storeFaults) {
            for (const id of cancelled) maybeCancelled.add(id);
            cancelled.clear();
          }
          break;
        }
        case 'driver':
          h.driver.script(s.fault);
          break;
        case 'store':
          if (!storeFaults) break;
          if (s.mode === 'hang') hung.push(map.holdNext(s.op));
          else if (s.mode === 'false' && s.op !== 'get') map.refuseNext(s.op);
          else map.failNext(s.op);
          break;
        case 'corrupt':
          // what a hostile store (or a newer relock) left under a key: read at the next add or restart
          if (!storeFaults) break;
          map.seed(`keyv:${s.family}:${s.lock}`, corruptRaw(s.value, s.family));
          if (s.family === 'lock') lostRecords.add(s.lock);
          break;
        case 'race': {
          // remove and re-add without awaiting in between: the new lock never sees the old one's record
          if (!present.has(s.lock)) break;
          const removed = relock.removeLock(s.lock);
          const adding = relock.addLock(configOf(s.lock, generation[s.lock]));
          adding.catch(() => {}); // answered below, after the removal: not an unhandled rejection meanwhile
          present.delete(s.lock);
          mustNotLock.add(s.lock);
          await ignore(removed);
          checkCommands();
          await added(s.lock, adding, 'addLock after removeLock');
          break;
        }
        case 'step':
          clock.stepWallClock(s.ms);
          break;
        case 'host':
          if (s.fault === 'daylight') h.hostFaults.throwingDaylight += 3;
          else if (s.fault === 'nan') h.hostFaults.nanNow += 3;
          else if (s.fault === 'inspect') h.hostFaults.throwingInspect += 5;
          else if (present.has(s.lock)) {
            relock.statusStore(s.lock).subscribe(() => {
              throw new Error('a UI observer failed');
            });
          }
          break;
        case 'advance':
          await clock.advance(s.ms);
          break;
      }
      await clock.advance(0);
      checkCommands();
      for (const apply of reported) apply();
      reported = [];
      expect(violations, `event grammar (${where})`).toEqual([]);

      for (const id of present) {
        const status = h.relock.status(id);
        // I1: no autolock is lost
        // (unless the host cancelled it by hand since the last unlock, enable or start)
        // (or its stored entry cannot be read yet: a failing read, a newer format; it shows FRESH)
        const unreadable = storeFaults && status.timerState === 'FRESH';
        if (
          status.lockState === 'unlocked' &&
          status.autolockEnabled &&
          !status.pendingRetry &&
          // a fire that found the lock jammed holds it: nothing comes until the host reports again
          status.autolock !== 'jammed' &&
          !cancelled.has(id) &&
          !maybeCancelled.has(id) &&
          !unreadable
        ) {
          expect(status.running || status.timerState === 'ACTIVE', `I1 ${id} ${where}`).toBe(true);
        }
        // I6: the deadline is an instant on the wall clock: after time has run on past a check period
        // and a lock action, no running autolock is overdue (wall-clock steps included)
        if (s.kind === 'advance' && s.ms > LATENESS_MS && status.running && status.endsAt !== null) {
          expect(clock.now() - status.endsAt, `I6 ${id} overdue ${where}`).toBeLessThanOrEqual(LATENESS_MS);
        }
        // I3: a stored entry exists exactly when the timer is ACTIVE (checked when the store is healthy)
        if (!storeFaults) {
          await h.relock.flush();
          const stored = await (h.store as Keyv).get(`timer:${id}`);
          const timer = h.relock.status(id);
          if (timer.timerState === 'ACTIVE') expect(stored, `I3 ${id} ACTIVE ${where}`).toBeDefined();
          if (timer.timerState === 'DONE') expect(stored, `I3 ${id} DONE ${where}`).toBeUndefined();
        }
      }
    }
  } finally {
    collect(h);
    for (const release of hung.splice(0)) release();
    await settle(h.relock.stop(), 'stop');
  }
  // I5: no PIN in any log line, event or inspection payload
  // (as a token of its own: a 6-digit PIN can occur inside a 13-digit timestamp by chance)
  for (const pin of PINS) {
    const leak = everything.find((line) => new RegExp(`(?<![0-9])${pin}(?![0-9])`).test(line));
    expect(leak, 'I5 a PIN leaked').toBeUndefined();
  }
}

const seed = process.env.RELOCK_SEED === undefined ? undefined : Number(process.env.RELOCK_SEED);
const path = process.env.RELOCK_PATH;
const numRuns = Number(process.env.RELOCK_RUNS ?? 200);

describe('interleavings, property-based', () => {
  it('I1-I7 and the event grammar hold after every step of random interleavings over three locks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 40 }), fc.boolean(), (steps, storeFaults) =>
        run(steps, storeFaults),
      ),
      // a run takes milliseconds in simulated time; the per-run limit only turns a hang into a
      // shrinkable failure, far above what a busy machine needs
      { numRuns, seed, path, verbose: 1, timeout: 60_000 },
    );
  }, 600_000);
});
