/**
 * Model-based tests of the lock statechart: every shortest path (and every simple path to a
 * bounded length) through the lock machine, drawn by @xstate/graph, replayed on a whole relock
 * system (coordinator, persistence actor, keyv store, simulated clock, scripted driver). The
 * model's internal events are produced the way the real system produces them: a door-open
 * deferral and a failure by making a real autolock fire, the retry's command by the scripted
 * driver. After every step the system must agree with the model and keep the invariants.
 */
import { getShortestPaths } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import { regionState } from '../../src/actors/lock.actor.js';
import { lockMachine } from '../../src/machines/lock.machine.js';
import { parseLockConfig } from '../../src/model/lock-config.js';
import { boundedSimplePaths } from '../support/bounded-paths.js';
import { relockHarness } from '../support/relock-harness.js';

const TIMEOUT = 5_000;
const AUTOLOCK = { enabled: true, dayMinutes: 60, nightMinutes: 60, retryWhenDoorCloses: true };
const config = parseLockConfig({ id: 'front', name: 'Front', hasDoorSensor: true, autolock: AUTOLOCK });

const model = lockMachine.provide({
  actions: {
    ensureAutolock: () => {},
    rearmAutolock: () => {},
    cancelAutolock: () => {},
    dismissAutolockNotifications: () => {},
    dismissDoorOpen: () => {},
    notifyDoorOpen: () => {},
    notifyDoorClosed: () => {},
    notifyFailed: () => {},
  },
  delays: { commandTimeout: TIMEOUT },
});
type ModelSnapshot = SnapshotFrom<typeof model>;
type ModelEvent = { type: string; [key: string]: unknown };

const region = (state: ModelSnapshot, name: 'bolt' | 'door' | 'retry'): string => regionState(state, name) ?? 'retired';

function eventsIn(state: ModelSnapshot): ModelEvent[] {
  const events: ModelEvent[] = [
    ...['locked', 'unlocked', 'jammed', 'unknown'].map((s) => ({ type: 'LOCK_STATE', state: s })),
    ...['open', 'closed', 'unknown'].map((s) => ({ type: 'DOOR_STATE', state: s })),
    { type: 'SET_AUTOLOCK', settings: { ...AUTOLOCK, enabled: !state.context.config.autolock.enabled } },
  ];
  const bolt = region(state, 'bolt');
  const door = region(state, 'door');
  const retry = region(state, 'retry');
  // what a real fire can make of this lock
  if (bolt !== 'locked' && state.context.config.autolock.enabled) {
    if (door === 'open' && retry === 'idle') events.push({ type: 'AUTOLOCK_DEFERRED' });
    if (door !== 'open') events.push({ type: 'AUTOLOCK_FAILED', reason: 'offline' });
  }
  if (retry === 'relocking') {
    events.push({ type: 'xstate.done.actor.relockCommand' });
    events.push({ type: 'xstate.error.actor.relockCommand', error: new Error('offline') });
    events.push({ type: 'xstate.after.commandTimeout.lock.live.retry.relocking' });
  }
  return events;
}

const serializeState = (state: ModelSnapshot): string =>
  JSON.stringify([state.value, state.context.config.autolock.enabled, state.context.lastFailure !== null]);
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
  if (event.type.startsWith('xstate.done')) return 'command ok';
  if (event.type.startsWith('xstate.error')) return 'command fails';
  if (event.type.startsWith('xstate.after')) return 'command times out';
  if (event.type === 'SET_AUTOLOCK') return (event.settings as { enabled: boolean }).enabled ? 'enable' : 'disable';
  return 'state' in event ? `${event.type === 'LOCK_STATE' ? 'lock' : 'door'} ${event.state}` : event.type;
}
const describePath = (steps: Array<{ event: ModelEvent }>): string =>
  steps
    .slice(1)
    .map((step) => label(step.event))
    .join(' → ') || '(initial)';

async function replay(steps: Array<{ event: ModelEvent; state: ModelSnapshot }>): Promise<void> {
  const h = await relockHarness({ actionTimeoutMs: TIMEOUT });
  try {
    const { relock, clock, driver } = h;
    const commands: Array<{ resolve(): void; reject(error: Error): void }> = [];
    driver.fallback = () =>
      new Promise<void>((resolve, reject) => {
        commands.push({ resolve, reject });
      });
    await relock.addLock({ id: 'front', name: 'Front', hasDoorSensor: true, autolock: AUTOLOCK });
    /** Makes the real timer fire now. */
    const fireNow = async () => {
      await relock.startAutolock('front', 1);
      await clock.advance(1_000);
    };
    for (const [index, { event, state }] of steps.entries()) {
      const where = `step ${index} (${label(event)}) of ${describePath(steps)}`;
      if (event.type === 'LOCK_STATE') relock.reportLockState('front', event.state as never);
      else if (event.type === 'DOOR_STATE') relock.reportDoorState('front', event.state as never);
      else if (event.type === 'SET_AUTOLOCK')
        relock.setAutolock('front', { enabled: (event.settings as { enabled: boolean }).enabled });
      else if (event.type === 'AUTOLOCK_DEFERRED') await fireNow();
      else if (event.type === 'AUTOLOCK_FAILED') {
        driver.script('throw');
        await fireNow();
      } else if (event.type.startsWith('xstate.done')) commands.at(-1)?.resolve();
      else if (event.type.startsWith('xstate.error')) commands.at(-1)?.reject(new Error('offline'));
      else if (event.type.startsWith('xstate.after')) await clock.advance(TIMEOUT);
      await clock.advance(0);

      const status = relock.status('front');
      expect(status.lockState, where).toBe(region(state, 'bolt'));
      expect(status.doorState, where).toBe(region(state, 'door'));
      expect(status.pendingRetry, where).toBe(['pending', 'relocking'].includes(region(state, 'retry')));
      expect(status.autolockEnabled, where).toBe(state.context.config.autolock.enabled);
      expect(status.lastFailure !== null, where).toBe(state.context.lastFailure !== null);
      // I1: an unlocked lock with autolock enabled and no pending retry has an autolock coming
      if (status.lockState === 'unlocked' && status.autolockEnabled && !status.pendingRetry) {
        expect(status.running || status.timerState === 'ACTIVE', where).toBe(true);
      }
      // a locked lock, or one with autolock disabled, has no autolock running
      if (status.lockState === 'locked' || !status.autolockEnabled) expect(status.running, where).toBe(false);
      // the retry's lock command is sent exactly when the model enters relocking
      const relockings = steps
        .slice(1, index + 1)
        .filter(
          (step, i) => region(step.state, 'retry') === 'relocking' && region(steps[i].state, 'retry') !== 'relocking',
        ).length;
      expect(commands.length, where).toBe(relockings);
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
      'retry.relocking',
    ]) {
      expect(reached).toContain(state);
    }
    const viaCommand = simple.filter((path) =>
      path.steps.some((step) => step.event.type.startsWith('xstate.done.actor.relockCommand')),
    );
    expect(viaCommand.length).toBeGreaterThan(0);
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

  // one test per path: each is small, so no verdict depends on how busy the machine is
  it.each(simple.map((path, index) => [index + 1, describePath(path.steps as never), path] as const))(
    `simple path %i (of up to ${MAX_SIMPLE} steps back to an unlocked, idle lock): %s`,
    async (_index, _name, path) => {
      await replay(path.steps as never);
    },
  );
});
