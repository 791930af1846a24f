/**
 * Model-based tests of the lock statechart: every shortest path (and every simple path to a
 * bounded length) through the lock machine, drawn by @xstate/graph, replayed on a whole relock
 * system (coordinator, persistence actor, keyv store, simulated clock, scripted driver). The
 * model's internal events are produced the way the real system produces them: a door-open
 * deferral and a failure by making a real autolock fire. After every step the system must agree
 * with the model and keep the invariants; every lock command comes from the timer, and is sent
 * exactly when the model starts one (a failed fire, or the door closing on a pending retry).
 */
import { getShortestPaths } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import { regionState } from '../../src/actors/lock.actor.js';
import { lockMachine } from '../../src/machines/lock.machine.js';
import { parseLockConfig } from '../../src/model/lock-config.js';
import { boundedSimplePaths } from '../support/bounded-paths.js';
import { relockHarness } from '../support/relock-harness.js';

type Mode = 'never-while-open' | 'after-close' | 'restart-on-close';
// one attempt: a failed fire is kept, so no retry comes in between the model's steps
const autolockIn = (doorMode: Mode) =>
  ({ enabled: true, dayMinutes: 60, nightMinutes: 60, doorMode, afterCloseSeconds: 600, maxAttempts: 1 }) as const;
const configIn = (doorMode: Mode) =>
  parseLockConfig({ id: 'front', name: 'Front', hasDoorSensor: true, autolock: autolockIn(doorMode) });
const config = configIn('never-while-open');

const noop = () => {};
const model = lockMachine.provide({
  actions: {
    ensureAutolock: noop,
    lockAfterDoorWait: noop,
    restartCountdown: noop,
    shortenCountdown: noop,
    cancelAutolock: noop,
    endAutolockLocked: noop,
    holdAutolock: noop,
    dismissAutolockNotifications: noop,
    dismissDoorOpen: noop,
    dismissDoorLeftOpen: noop,
    dismissJammed: noop,
    notifyDoorOpen: noop,
    notifyDoorLeftOpen: noop,
    notifyDoorClosed: noop,
    notifyFailed: noop,
    notifyJammed: noop,
    notifyWarning: noop,
  },
});
type ModelSnapshot = SnapshotFrom<typeof model>;
type ModelEvent = { type: string; [key: string]: unknown };

const FAILURE = {
  reason: 'offline',
  attempt: 1,
  attempts: 1,
  unconfirmed: false,
  nextAttemptAt: null,
  keptForReplay: true,
};

const region = (state: ModelSnapshot, name: 'bolt' | 'door' | 'retry'): string => regionState(state, name) ?? 'retired';

function eventsIn(state: ModelSnapshot): ModelEvent[] {
  const events: ModelEvent[] = [
    ...['locked', 'unlocked', 'jammed', 'unknown'].map((s) => ({ type: 'LOCK_STATE', state: s })),
    ...['open', 'closed', 'unknown'].map((s) => ({ type: 'DOOR_STATE', state: s })),
    {
      type: 'SET_AUTOLOCK',
      settings: { ...state.context.config.autolock, enabled: !state.context.config.autolock.enabled },
    },
  ];
  const bolt = region(state, 'bolt');
  const door = region(state, 'door');
  const retry = region(state, 'retry');
  // what a real fire can make of this lock
  // what a real fire can make of this lock (no command to a jammed lock: nothing to fail)
  if (bolt !== 'locked' && bolt !== 'jammed' && state.context.config.autolock.enabled) {
    if (door === 'open' && retry === 'idle') events.push({ type: 'AUTOLOCK_DEFERRED' });
    if (door !== 'open') events.push({ type: 'AUTOLOCK_FAILED', ...FAILURE });
  }
  return events;
}

const serializeState = (state: ModelSnapshot): string =>
  JSON.stringify([
    state.value,
    state.context.config.autolock.enabled,
    state.context.lastFailure !== null,
    state.context.jamNoticeShown,
  ]);
const serializeEvent = (event: ModelEvent): string => JSON.stringify({ ...event, error: undefined });

const shortest = getShortestPaths(model, {
  input: { config },
  events: eventsIn as never,
  serializeState: serializeState as never,
  serializeEvent: serializeEvent as never,
});
const MAX_SIMPLE = Number(process.env.RELOCK_MODEL_DEPTH ?? 5);
const simple = boundedSimplePaths(model, {
  input: { config },
  events: eventsIn,
  serializeState,
  toState: (state) => region(state, 'retry') === 'idle' && region(state, 'bolt') === 'unlocked',
  maxSteps: MAX_SIMPLE,
});

function label(event: ModelEvent): string {
  if (event.type === 'SET_AUTOLOCK') return (event.settings as { enabled: boolean }).enabled ? 'enable' : 'disable';
  return 'state' in event ? `${event.type === 'LOCK_STATE' ? 'lock' : 'door'} ${event.state}` : event.type;
}
const describePath = (steps: Array<{ event: ModelEvent }>): string =>
  steps
    .slice(1)
    .map((step) => label(step.event))
    .join(' → ') || '(initial)';

async function replay(
  steps: Array<{ event: ModelEvent; state: ModelSnapshot }>,
  mode: Mode = 'never-while-open',
): Promise<void> {
  const h = await relockHarness({ actionTimeoutMs: 5_000 });
  try {
    const { relock, clock, driver } = h;
    await relock.addLock({ id: 'front', name: 'Front', hasDoorSensor: true, autolock: autolockIn(mode) });
    /** Makes the real timer fire now. */
    const fireNow = async () => {
      await relock.startAutolock('front', 1);
      await clock.advance(1_000);
    };
    for (const [index, { event, state }] of steps.entries()) {
      const where = `step ${index} (${label(event)}) of ${describePath(steps)}`;
      const countingBefore = index > 0 && relock.status('front').autolock === 'counting-down';
      if (event.type === 'LOCK_STATE') relock.reportLockState('front', event.state as never);
      else if (event.type === 'DOOR_STATE') relock.reportDoorState('front', event.state as never);
      else if (event.type === 'SET_AUTOLOCK')
        relock.setAutolock('front', { enabled: (event.settings as { enabled: boolean }).enabled });
      else if (event.type === 'AUTOLOCK_DEFERRED') await fireNow();
      else if (event.type === 'AUTOLOCK_FAILED') {
        driver.script('throw');
        await fireNow();
      }
      await clock.advance(0);

      const status = relock.status('front');
      expect(status.lockState, where).toBe(region(state, 'bolt'));
      expect(status.doorState, where).toBe(region(state, 'door'));
      expect(status.pendingRetry, where).toBe(region(state, 'retry') === 'pending');
      expect(status.autolockEnabled, where).toBe(state.context.config.autolock.enabled);
      expect(status.lastFailure !== null, where).toBe(state.context.lastFailure !== null);
      // I1: an unlocked lock with autolock enabled and no pending retry has an autolock coming
      if (status.lockState === 'unlocked' && status.autolockEnabled && !status.pendingRetry) {
        expect(status.running || status.timerState === 'ACTIVE', where).toBe(true);
      }
      // a locked lock, or one with autolock disabled, has no autolock running
      if (status.lockState === 'locked' || !status.autolockEnabled) expect(status.running, where).toBe(false);
      // a jammed lock reads as jammed whatever its timer does
      if (status.lockState === 'jammed') expect(status.autolock, where).toBe('jammed');
      // a lock command is sent exactly for a failed fire and, in never-while-open, for a door that
      // closes on a pending retry of a lock that is not jammed (the timer locks at once); the other
      // modes start a countdown then (after-close: 10 min, restart-on-close: the full hour)
      const expected = steps.slice(1, index + 1).filter((step, i) => {
        if (step.event.type === 'AUTOLOCK_FAILED') return true;
        const before = steps[i].state;
        return (
          mode === 'never-while-open' &&
          region(before, 'retry') === 'pending' &&
          region(step.state, 'retry') === 'idle' &&
          step.event.type === 'DOOR_STATE' &&
          region(before, 'bolt') !== 'jammed'
        );
      }).length;
      expect(driver.commands.length, where).toBe(expected);
      // a door that closes moves a running countdown: from the full hour, or to the after-close delay
      const previous = steps[index - 1]?.state;
      const closed =
        previous !== undefined && region(previous, 'door') === 'open' && region(state, 'door') === 'closed';
      if (closed && countingBefore && region(previous, 'retry') === 'idle' && state.context.config.autolock.enabled) {
        if (mode === 'restart-on-close') expect(relock.status('front').remainingSeconds, where).toBe(3600);
        if (mode === 'after-close') expect(relock.status('front').remainingSeconds, where).toBe(600);
      }
      if (
        closed &&
        region(previous, 'retry') === 'pending' &&
        region(previous, 'bolt') !== 'jammed' &&
        mode !== 'never-while-open'
      ) {
        expect(relock.status('front').remainingSeconds, where).toBe(mode === 'after-close' ? 600 : 3600);
      }
    }
  } finally {
    await h.relock.stop();
  }
}

describe('lock, model-based', () => {
  it('draws paths to every state of every region', () => {
    const reached = new Set(
      shortest.flatMap((path) => ['bolt', 'door', 'retry'].map((r) => `${r}.${region(path.state, r as never)}`)),
    );
    for (const state of [
      'bolt.locked',
      'bolt.unlocked',
      'bolt.jammed',
      'bolt.unknown',
      'door.open',
      'door.closed',
      'retry.pending',
    ]) {
      expect(reached).toContain(state);
    }
    const viaDoorClose = simple.filter((path) =>
      path.steps.some(
        (step, i) =>
          i > 0 && region(path.steps[i - 1].state, 'retry') === 'pending' && step.event.type === 'DOOR_STATE',
      ),
    );
    expect(viaDoorClose.length).toBeGreaterThan(0);
    console.info(
      `lock model: ${shortest.length} shortest paths, ${simple.length} simple paths of up to ${MAX_SIMPLE} steps`,
    );
  });

  it.each(shortest.map((path) => [describePath(path.steps as never), path] as const))(
    'shortest path: %s',
    async (_name, path) => {
      await replay(path.steps as never);
    },
  );

  // the other door modes: the same graph with their own close transitions, shortest paths
  for (const mode of ['after-close', 'restart-on-close'] as const) {
    const shortestIn = getShortestPaths(model, {
      input: { config: configIn(mode) },
      events: eventsIn as never,
      serializeState: serializeState as never,
      serializeEvent: serializeEvent as never,
    });
    // and every simple path of up to 4 steps that closes the door on an unlocked lock
    const closing = boundedSimplePaths(model, {
      input: { config: configIn(mode) },
      events: eventsIn,
      serializeState,
      toState: (state) => region(state, 'door') === 'closed' && region(state, 'bolt') === 'unlocked',
      maxSteps: 4,
    }).filter((path) =>
      path.steps.some(
        (step, i) =>
          i > 0 && region(path.steps[i - 1].state, 'door') === 'open' && region(step.state, 'door') === 'closed',
      ),
    );
    const paths = [...shortestIn, ...closing];
    it(`${mode}: paths close the door on a running countdown and on a pending wait`, () => {
      expect(closing.length).toBeGreaterThan(10);
      console.info(`lock model, ${mode}: ${shortestIn.length} shortest paths, ${closing.length} closing paths`);
    });
    it.each(paths.map((path) => [describePath(path.steps as never), path] as const))(
      `${mode}, path: %s`,
      async (_name, path) => {
        await replay(path.steps as never, mode);
      },
    );
  }

  // one test per path: each is small, so no verdict depends on how busy the machine is
  it.each(simple.map((path, index) => [index + 1, describePath(path.steps as never), path] as const))(
    `simple path %i (of up to ${MAX_SIMPLE} steps back to an unlocked, idle lock): %s`,
    async (_index, _name, path) => {
      await replay(path.steps as never);
    },
  );
});
