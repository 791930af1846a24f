/**
 * Model-based tests of the autolock timer: every shortest path and every simple path (to a
 * bounded length) through the timer statechart, drawn by @xstate/graph, is replayed against the
 * real timer actor, persistence actor and keyv store on a simulated clock, with the store and
 * the lock action completing exactly when the model says they do. After every step the real
 * system must agree with the model. A new state or transition adds paths without new test code.
 */
import { getShortestPaths } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { assign, type SnapshotFrom } from 'xstate';
import type { FireOutcome } from '../../src/events.js';
import { autolockTimerMachine } from '../../src/machines/autolock-timer.machine.js';
import { encodeTimerEntry } from '../../src/persistence/timer-codec.js';
import { createTimerEntry, type TimerEntry } from '../../src/persistence/timer-entry.js';
import { boundedSimplePaths } from '../support/bounded-paths.js';
import { deferred, timerHarness } from '../support/timer-harness.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const START_SECONDS = 3600;
const EXTEND_SECONDS = 600;
const ACTION_TIMEOUT = 5_000;
const FUTURE = createTimerEntry({ endsAt: T0 + 7_200_000, durationSeconds: 7200 });
const OVERDUE = createTimerEntry({ endsAt: T0 - 60_000, durationSeconds: 60 });
const ARMED = createTimerEntry({ endsAt: T0 + START_SECONDS * 1000, durationSeconds: START_SECONDS });
/** Entries a restart finds in the middle of a cycle: a retry due later, a confirmation still awaited. */
const RETRY_LATER = createTimerEntry({ endsAt: T0 + 20_000, durationSeconds: 60, stage: 'retry', attempt: 1 });
const CONFIRM_LATER = createTimerEntry({ endsAt: T0 + 20_000, durationSeconds: 60, stage: 'confirm', attempt: 1 });
const EXTENDED = createTimerEntry({
  endsAt: T0 + (START_SECONDS + 600) * 1000,
  durationSeconds: START_SECONDS + 600,
});
/** The model's policy: two attempts per cycle, a 30 s confirmation wait, no warning. */
const POLICY = { maxAttempts: 2, retryDelaySeconds: 30, confirmSeconds: 30, warnSeconds: 0 };
const stepEntry = (stage: 'retry' | 'confirm', attempt: number) =>
  createTimerEntry({ endsAt: T0 + 30_000, durationSeconds: 0, stage, attempt: Math.max(1, attempt) });

/** The timer machine with pure stand-ins for its clock-dependent parts. */
const model = autolockTimerMachine.provide({
  actions: {
    armEntry: assign({ entry: ARMED, attempt: 0, pendingStart: null, cancelRequested: false, warned: false }),
    armRetryEntry: assign({ entry: ({ context }) => stepEntry('retry', context.attempt) }),
    armConfirmEntry: assign({ entry: ({ context }) => stepEntry('confirm', context.attempt) }),
    keepForReplay: assign({ entry: OVERDUE }),
    // one extended entry (the real one adds the seconds): the model's state space stays finite
    extendEntry: assign({ entry: EXTENDED, warned: false }),
    removeEntryOnce: () => {},
    writeEntryOnce: () => {},
    settleRecoveredEntry: () => {},
  },
  guards: {
    // the model's deadline check always finds the deadline reached (the real one is replayed by the clock)
    deadlineReached: () => true,
    foundOverdueEntry: ({ event }) => {
      return (event as { entry?: TimerEntry | null }).entry === OVERDUE;
    },
    warningDue: () => false,
    confirmationWaived: () => false,
    attemptsLeft: ({ context }) => context.attempt < POLICY.maxAttempts,
    awaitsConfirmation: ({ event }) => (event as { outcome?: FireOutcome }).outcome === 'locked',
  },
  delays: { untilDeadline: 1_000, actionTimeout: ACTION_TIMEOUT },
});

type ModelSnapshot = SnapshotFrom<typeof model>;
type ModelEvent = { type: string; [key: string]: unknown };

/** The store's answer to the request in flight (the machine drops a stale one at the sender). */
const stored = (state: ModelSnapshot, entry?: TimerEntry | null): ModelEvent => ({
  type: 'STORE_DONE',
  seq: state.context.requestSeq,
  ...(entry === undefined ? {} : { entry }),
});
const storeFailed = (state: ModelSnapshot): ModelEvent => ({
  type: 'STORE_FAILED',
  seq: state.context.requestSeq,
  error: 'store down',
});
const after = (delay: string, path: string): ModelEvent => ({ type: `xstate.after.${delay}.autolockTimer.${path}` });

function eventsIn(state: ModelSnapshot): ModelEvent[] {
  const events: ModelEvent[] = [
    { type: 'RECOVER' },
    { type: 'RECOVERED', entry: null },
    { type: 'RECOVERED', entry: FUTURE },
    { type: 'RECOVERED', entry: OVERDUE },
    { type: 'RECOVERED', entry: RETRY_LATER },
    { type: 'RECOVERED', entry: CONFIRM_LATER },
    { type: 'START', durationSeconds: START_SECONDS },
    { type: 'CANCEL', locked: false },
    { type: 'CANCEL', locked: true },
    { type: 'RETIRE' },
  ];
  if (state.matches('arming') || state.matches('active')) events.push({ type: 'EXTEND', seconds: EXTEND_SECONDS });
  if (state.matches('retrying') || state.matches('confirming') || state.matches('firing')) {
    events.push({ type: 'JAMMED' });
  }
  if (state.matches({ recovering: 'reading' })) {
    events.push(stored(state, null), stored(state, FUTURE), stored(state, OVERDUE), storeFailed(state));
  }
  if (state.matches({ recovering: 'backoff' })) events.push(after('storeRetry', 'recovering.backoff'));
  const writing = [
    { arming: 'writing' },
    { failed: 'keeping' },
    { held: 'keeping' },
    { clearing: 'removing' },
  ] as const;
  if (writing.some((child) => state.matches(child))) events.push(stored(state), storeFailed(state));
  if (state.matches({ arming: 'backoff' })) events.push(after('storeRetry', 'arming.backoff'));
  for (const step of ['retrying', 'confirming'] as const) {
    if (state.matches({ [step]: 'writing' })) events.push(stored(state), storeFailed(state));
    if (state.matches({ [step]: 'backoff' })) events.push(after('storeRetry', `${step}.backoff`));
  }
  if ((['arming', 'active', 'retrying', 'confirming'] as const).some((step) => state.matches(step))) {
    events.push({ type: 'DEADLINE_CHECK' });
  }
  if (state.matches('firing')) {
    const seq = state.context.requestSeq;
    for (const outcome of ['locked', 'missing', 'jammed'] as const) events.push({ type: 'FIRE_DONE', seq, outcome });
    events.push({ type: 'FIRE_FAILED', seq, error: 'jammed' });
    events.push(after('actionTimeout', 'firing'));
  }
  if (state.matches({ clearing: 'backoff' })) events.push(after('storeRetry', 'clearing.backoff'));
  if (state.matches({ failed: 'backoff' })) events.push(after('storeRetry', 'failed.backoff'));
  if (state.matches({ held: 'backoff' })) events.push(after('storeRetry', 'held.backoff'));
  return events;
}

const serializeState = (state: ModelSnapshot): string =>
  JSON.stringify([
    state.value,
    state.context.entry?.endsAt ?? null,
    state.context.attempt,
    state.context.jamDuringFire,
    state.context.cancelRequested,
    state.context.pendingStart,
  ]);
const serializeEvent = (event: ModelEvent): string =>
  JSON.stringify({
    ...event,
    entry: event.entry && [(event.entry as TimerEntry).endsAt, (event.entry as TimerEntry).stage],
    error: undefined,
  });
const traversal = {
  input: { lockId: 'x' },
  events: eventsIn as never,
  serializeState: serializeState as never,
  serializeEvent: serializeEvent as never,
};

const shortest = getShortestPaths(model, traversal);
// RELOCK_MODEL_DEPTH=8 npm test draws longer paths
const MAX_SIMPLE = Number(process.env.RELOCK_MODEL_DEPTH ?? 6);
const boundedSimple = boundedSimplePaths(model, {
  input: { lockId: 'x' },
  events: eventsIn,
  serializeState,
  toState: (state) => state.matches('done') || state.matches({ failed: 'kept' }) || state.matches({ held: 'kept' }),
  maxSteps: MAX_SIMPLE,
});

function label(event: ModelEvent): string {
  const [, kind, rest] = event.type.match(/^xstate\.(after|done\.actor|error\.actor)\.(.*)$/) ?? [];
  if (event.type === 'CANCEL') return event.locked ? 'locked report' : 'CANCEL';
  const name =
    kind === 'after'
      ? `after ${rest?.split('.')[0]}`
      : kind === undefined
        ? event.type
        : `${kind.split('.')[0]} ${rest}`;
  const found = (event.entry ?? event.outcome) as unknown;
  const detail =
    found === FUTURE
      ? '(future)'
      : found === OVERDUE
        ? '(overdue)'
        : found === null
          ? '(none)'
          : typeof found === 'string'
            ? `(${found})`
            : '';
  return `${name}${detail}`;
}

function describePath(steps: Array<{ event: ModelEvent }>): string {
  return steps
    .slice(1)
    .map((step) => label(step.event))
    .join(' → ');
}

/** Replays one path on the real system, checking agreement after every step. */
async function replay(steps: Array<{ event: ModelEvent; state: ModelSnapshot }>): Promise<void> {
  const h = await timerHarness({ actionTimeoutMs: ACTION_TIMEOUT, policy: POLICY });
  try {
    h.map.manual = true;
    const fires: Array<ReturnType<typeof deferred<FireOutcome>>> = [];
    h.locks.set('x', {
      name: 'x',
      act: () => {
        const pending = deferred<FireOutcome>();
        fires.push(pending);
        return pending.promise;
      },
    });
    const timer = h.newTimer('x');
    let cancel: { settled: boolean } | undefined;
    let removeFailed = false;
    const real = () => timer.actor.getSnapshot();
    const seedStore = async (entry: TimerEntry | null) => {
      h.map.manual = false;
      if (entry === null) await h.store.delete('timer:x');
      else await h.store.set('timer:x', encodeTimerEntry(entry));
      h.map.manual = true;
    };
    /** Lets every waiting call of `op` complete (or fail) until the timer leaves `leaving`. */
    const settleAll = async (op: 'get' | 'set' | 'delete', fail: boolean, inside: () => boolean) => {
      await h.clock.advance(0);
      while (inside() && h.map.settleNext(op, fail)) await h.clock.advance(0);
    };

    for (const [index, { event, state }] of steps.entries()) {
      const where = `step ${index} (${label(event)}) of ${describePath(steps)}`;
      switch (event.type) {
        case 'xstate.init':
          break;
        case 'RECOVER':
          void timer.recover().catch(() => {});
          break;
        case 'RECOVERED':
          // the caller read the entry from the store, so the store holds it
          await seedStore((event.entry as TimerEntry | null) ?? null);
          timer.resume((event.entry as TimerEntry | null) ?? null);
          break;
        case 'START':
          void timer.start(START_SECONDS).catch(() => {});
          break;
        case 'EXTEND':
          void timer.extend(EXTEND_SECONDS).catch(() => {});
          break;
        case 'JAMMED':
          timer.jammed();
          break;
        case 'CANCEL': {
          const tracked = { settled: false };
          cancel = tracked;
          void timer.cancel({ locked: event.locked === true }).then(
            () => (tracked.settled = true),
            () => (tracked.settled = true),
          );
          break;
        }
        case 'RETIRE':
          timer.retire();
          break;
        case 'STORE_DONE':
        case 'STORE_FAILED': {
          // the request the model's previous state made: a read, a removal or a write
          const before = steps[index - 1]?.state as ModelSnapshot;
          const fail = event.type === 'STORE_FAILED';
          const op = before.matches('recovering') ? 'get' : before.matches('clearing') ? 'delete' : 'set';
          if (op === 'get' && !fail) await seedStore((event.entry as TimerEntry | null) ?? null);
          if (op === 'delete') removeFailed = fail;
          await settleAll(op, fail, () => real().matches(before.value as never));
          break;
        }
        case 'FIRE_DONE':
          fires.at(-1)?.resolve(event.outcome as FireOutcome);
          break;
        case 'FIRE_FAILED':
          fires.at(-1)?.reject(new Error('jammed'));
          break;
        case 'DEADLINE_CHECK':
          // the real timer looks at the wall clock in steps until its deadline
          await h.clock.advanceTo(real().context.entry?.endsAt ?? h.clock.now());
          break;
        default:
          if (event.type.startsWith('xstate.after.storeRetry')) {
            await h.clock.advance(Math.min(60_000, 1_000 * 2 ** Math.max(0, real().context.storeFailures - 1)));
          } else if (event.type.startsWith('xstate.after.actionTimeout')) {
            await h.clock.advance(ACTION_TIMEOUT);
          } else throw new Error(`no adapter for ${event.type}`);
      }
      await h.clock.advance(0);

      // the real timer is where the model is
      expect(real().value, where).toEqual(state.value);
      expect(real().context.entry === null, where).toBe(state.context.entry === null);
      expect(real().context.entry?.stage, where).toBe(state.context.entry?.stage);
      expect(real().context.attempt, where).toBe(state.context.attempt);
      expect(real().context.jamDuringFire, where).toBe(state.context.jamDuringFire);
      expect(real().context.cancelRequested, where).toBe(state.context.cancelRequested);
      expect(real().context.pendingStart !== null, where).toBe(state.context.pendingStart !== null);
      // a lock command is sent exactly when the model fires
      const firesEntered = steps
        .slice(1, index + 1)
        .filter((step, i) => step.state.matches('firing') && !steps[i].state.matches('firing')).length;
      expect(fires.length, where).toBe(firesEntered);
      // ACTIVE means durable: the stored entry is the timer's entry
      if (
        state.matches('active') ||
        state.matches({ failed: 'kept' }) ||
        state.matches({ held: 'kept' }) ||
        state.matches({ retrying: 'saved' }) ||
        state.matches({ confirming: 'saved' })
      ) {
        h.map.manual = false;
        const stored = await h.stored('x');
        h.map.manual = true;
        expect(stored, where).toEqual(encodeTimerEntry(real().context.entry as TimerEntry));
      }
      // DONE after a successful removal leaves nothing on disk
      if (
        state.matches('done') &&
        !removeFailed &&
        steps.slice(0, index + 1).some((s) => s.state.matches('clearing'))
      ) {
        h.map.manual = false;
        expect(await h.stored('x'), where).toBeUndefined();
        h.map.manual = true;
      }
      // an awaited cancel resolves exactly when no fire, removal or recovery is in flight
      if (cancel !== undefined && !state.matches('retired')) {
        const busy = state.matches('firing') || state.matches('clearing') || state.matches('recovering');
        expect(cancel.settled, where).toBe(!busy || cancel.settled);
        if (!busy) expect(cancel.settled, where).toBe(true);
      }
    }
  } finally {
    h.map.manual = false;
    for (const waiting of h.map.waiting.splice(0)) waiting.settle(false);
    h.stop();
  }
}

describe('autolock timer, model-based', () => {
  it('draws paths to every state of the statechart', () => {
    const reached = new Set(shortest.map((path) => JSON.stringify(path.state.value)));
    for (const value of ['"fresh"', '"done"', '"active"', '"firing"', '"retired"']) {
      expect(reached).toContain(value);
    }
    expect(reached).toContain(JSON.stringify({ recovering: 'backoff' }));
    expect(reached).toContain(JSON.stringify({ arming: 'backoff' }));
    expect(reached).toContain(JSON.stringify({ failed: 'kept' }));
    expect(reached).toContain(JSON.stringify({ failed: 'backoff' }));
    expect(reached).toContain(JSON.stringify({ clearing: 'removing' }));
    expect(reached).toContain(JSON.stringify({ clearing: 'backoff' }));
    for (const step of ['retrying', 'confirming']) {
      for (const child of ['writing', 'backoff', 'saved']) expect(reached).toContain(JSON.stringify({ [step]: child }));
    }
    expect(reached).toContain(JSON.stringify({ held: 'kept' }));
    expect(reached).toContain(JSON.stringify({ held: 'backoff' }));
    expect(shortest.length).toBeGreaterThan(30);
    expect(boundedSimple.length).toBeGreaterThan(100);
    console.info(
      `timer model: ${shortest.length} shortest paths, ${boundedSimple.length} simple paths of up to ${MAX_SIMPLE} steps`,
    );
  });

  it.each(shortest.map((path) => [describePath(path.steps as never), path] as const))(
    'shortest path: %s',
    async (_name, path) => {
      await replay(path.steps as never);
    },
  );

  // one test per path: each is small, so no verdict depends on how busy the machine is
  it.each(boundedSimple.map((path, index) => [index + 1, describePath(path.steps as never), path] as const))(
    `simple path %i (of up to ${MAX_SIMPLE} steps to DONE or a kept failure): %s`,
    async (_index, _name, path) => {
      await replay(path.steps as never);
    },
  );
});
